package io.sweetasync;

/**
 * The carriers of the {@code VIRTUAL} runtime's threads while they run a body, found by their thread: a
 * {@link StripedTable} keyed by the thread's id, which allocates nothing per task once grown (a
 * {@code ConcurrentHashMap}, a 32-byte node per entry; a thread-local, a whole map per thread).
 *
 * <p>Invariants: a thread has at most one entry (only the thread itself binds and unbinds its carrier,
 * {@link #remove} removes only the carrier it is given); thread ids are unique, so the entry keyed by a
 * thread's id is that thread's.
 */
final class VirtualCarriers {

    private static final StripedTable<Carrier> TABLE = new StripedTable<>(64, carrier -> carrier.thread().threadId());

    private VirtualCarriers() {
    }

    /** Binds {@code carrier} to its thread; its thread must have none bound. */
    static void put(Carrier carrier) {
        TABLE.add(carrier);
    }

    /** The carrier bound to {@code thread}, or null. */
    static Carrier get(Thread thread) {
        return TABLE.get(thread.threadId());
    }

    /** Unbinds {@code carrier} from its thread, if it is the one bound there. */
    static void remove(Carrier carrier) {
        TABLE.remove(carrier);
    }
}
