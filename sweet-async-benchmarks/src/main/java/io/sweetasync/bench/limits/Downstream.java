package io.sweetasync.bench.limits;

/**
 * A downstream service as the simulator drives it: requests enter with their solo service time and
 * leave through {@link Host#left(int)}; the downstream schedules its own events through its host.
 * Not thread-safe: one simulation at a time.
 */
abstract class Downstream {

    /** What a downstream can ask of the simulation that drives it. */
    interface Host {

        long now();

        /** Calls {@link Downstream#onEvent(int, long)} with {@code id} and {@code tag} at {@code time}. */
        void schedule(long time, int id, long tag);

        /** The request's response has reached the client. */
        void left(int id);
    }

    protected final Host host;

    Downstream(Host host) {
        this.host = host;
    }

    /** A request with {@code workNanos} of solo service arrives. */
    abstract void enter(int id, long workNanos);

    /** An event this downstream scheduled. */
    abstract void onEvent(int id, long tag);

    /** Re-reads the parameters' profiles at {@code seconds} (called every tick). */
    abstract void retune(double seconds);

    /**
     * The least concurrency at which the downstream, as now tuned, delivers its full throughput (99% of
     * its most): the limit an omniscient operator would set.
     */
    abstract double idealLimit();

    /** Whether the downstream could start more work now without slowing or queueing anything. */
    abstract boolean hasSpare();
}
