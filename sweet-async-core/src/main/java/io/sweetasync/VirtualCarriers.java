package io.sweetasync;

/**
 * The carriers of the {@code VIRTUAL} runtime's threads while they run a body, found by their thread: a
 * table that allocates nothing per task once grown (a {@code ConcurrentHashMap} allocates a 32-byte node
 * per entry, a tenth of what the rest of a short task costs; a thread-local, a whole map per thread).
 *
 * <p>Carriers are spread over {@value #STRIPES} stripes by their thread's id; each stripe is an open
 * addressing table of carriers (keyed by {@link Carrier#thread()}, linear probing, deletion by backward
 * shift so that no tombstones pile up), guarded by the stripe's monitor. A stripe grows when half full
 * and shrinks when an eighth full, so a burst of bodies does not keep its memory afterwards.
 *
 * <p>Invariants: a thread has at most one entry (only the thread itself binds and unbinds its carrier,
 * {@link #remove} removes only the carrier it is given); every read or write of a stripe's table holds the
 * stripe's monitor, held only for a probe (never while blocking or calling out).
 */
final class VirtualCarriers {

    private static final int STRIPES = 64;
    private static final int MIN_CAPACITY = 16;
    private static final Stripe[] TABLE = new Stripe[STRIPES];

    static {
        for (int i = 0; i < STRIPES; i++) {
            TABLE[i] = new Stripe();
        }
    }

    private VirtualCarriers() {
    }

    /** Binds {@code carrier} to its thread; its thread must have none bound. */
    static void put(Carrier carrier) {
        long hash = hash(carrier.thread());
        TABLE[(int) hash & (STRIPES - 1)].put(carrier, (int) (hash >>> 32));
    }

    /** The carrier bound to {@code thread}, or null. */
    static Carrier get(Thread thread) {
        long hash = hash(thread);
        return TABLE[(int) hash & (STRIPES - 1)].get(thread, (int) (hash >>> 32));
    }

    /** Unbinds {@code carrier} from its thread, if it is the one bound there. */
    static void remove(Carrier carrier) {
        long hash = hash(carrier.thread());
        TABLE[(int) hash & (STRIPES - 1)].remove(carrier, (int) (hash >>> 32));
    }

    /** A well-mixed 64-bit hash of the thread's id (ids are sequential): low bits stripe, high bits slot. */
    private static long hash(Thread thread) {
        long z = thread.threadId() * 0x9E3779B97F4A7C15L;
        return z ^ (z >>> 29);
    }

    private static final class Stripe {

        private Carrier[] slots = new Carrier[MIN_CAPACITY];
        private int size;

        synchronized void put(Carrier carrier, int hash) {
            if ((size + 1) * 2 > slots.length) {
                resize(slots.length * 2);
            }
            insert(slots, carrier, hash);
            size++;
        }

        synchronized Carrier get(Thread thread, int hash) {
            Carrier[] table = slots;
            int mask = table.length - 1;
            for (int i = hash & mask;; i = (i + 1) & mask) {
                Carrier found = table[i];
                if (found == null || found.thread() == thread) {
                    return found;
                }
            }
        }

        synchronized void remove(Carrier carrier, int hash) {
            Carrier[] table = slots;
            int mask = table.length - 1;
            int i = hash & mask;
            while (table[i] != carrier) {
                if (table[i] == null) {
                    return;
                }
                i = (i + 1) & mask;
            }
            // backward shift: move up every later entry of the run that may sit at or before the hole
            int hole = i;
            for (int j = (hole + 1) & mask; table[j] != null; j = (j + 1) & mask) {
                int home = home(table[j], mask);
                // the entry at j can fill the hole if its home is not in (hole, j] (cyclically)
                if (((j - home) & mask) >= ((j - hole) & mask)) {
                    table[hole] = table[j];
                    hole = j;
                }
            }
            table[hole] = null;
            size--;
            if (size * 8 < table.length && table.length > MIN_CAPACITY) {
                resize(table.length / 2);
            }
        }

        private void resize(int capacity) {
            Carrier[] grown = new Carrier[capacity];
            for (Carrier carrier : slots) {
                if (carrier != null) {
                    insert(grown, carrier, (int) (hash(carrier.thread()) >>> 32));
                }
            }
            slots = grown;
        }

        private static void insert(Carrier[] table, Carrier carrier, int hash) {
            int mask = table.length - 1;
            int i = hash & mask;
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
            table[i] = carrier;
        }

        private static int home(Carrier carrier, int mask) {
            return (int) (hash(carrier.thread()) >>> 32) & mask;
        }
    }
}
