package io.sweetasync.limit;

/**
 * The limit a {@link ConcurrencyLimiter} grants permits against: its algorithm's, and for a
 * {@linkplain LimiterConfig#clusterWide() cluster-wide} group at most this member's share of the cluster's
 * limit. Samples of returned permits move the algorithm (and the latency figures of the snapshot); the
 * result is published for lock-free reads.
 *
 * <p>Invariants: the algorithm and the latency figures are touched only under the limiter's lock; the
 * volatile figures ({@link #value()}, {@link #phase()}, {@link #baselineNanos()}, {@link #capacity()},
 * {@link #members()}) are written only under that lock (or before the limiter is shared), each time the
 * algorithm or the share changes, so a reader without the lock sees values the algorithm had after some
 * sample, and {@code value() = min(algorithm's limit, share)}. The share is {@code MAX_VALUE} and the
 * members 0 until the cluster engine sets them (and for ever for a group whose limits are per member). A
 * share below the permits in flight takes none back: the accounting simply grants none until releases
 * bring the count below it.
 */
final class LimitInForce {

    private final LimiterConfig config;
    /** Guarded by the limiter's lock. */
    private final Limit algorithm;
    /** Guarded by the limiter's lock. */
    private final LatencyFigures latencies = new LatencyFigures();
    /** This member's share of a cluster-wide group's limit, and the number of members it was split between. */
    private volatile int share = Integer.MAX_VALUE;
    private volatile int members;
    /** The limit in force (the algorithm's, at most the share) and the algorithm's state. */
    private volatile int current;
    private volatile LimitPhase phase;
    private volatile long baselineNanos;
    private volatile double capacity;

    LimitInForce(LimiterConfig config) {
        this.config = config;
        this.algorithm = Limit.of(config);
        publish();
    }

    /** Call under lock (or before the limiter is shared). */
    private void publish() {
        current = Math.min(algorithm.limit(), share);
        phase = algorithm.phase();
        baselineNanos = algorithm.baselineNanos();
        capacity = algorithm.estimatedCapacity();
    }

    /** Call under lock: one finished unit of work moves the algorithm. */
    void sample(long startNanos, long rttNanos, int inflightAtStart, boolean dropped) {
        algorithm.onSample(startNanos, rttNanos, inflightAtStart, dropped);
        latencies.record(rttNanos);
        publish();
    }

    /** Call under lock: this member's share of a cluster-wide limit, split between {@code members}. */
    void share(int value, int members) {
        this.share = value;
        this.members = members;
        publish();
    }

    int value() {
        return current;
    }

    LimitPhase phase() {
        return phase;
    }

    long baselineNanos() {
        return baselineNanos;
    }

    double capacity() {
        return capacity;
    }

    /** How many members a cluster-wide limit is split between; 0 while it is not. */
    int members() {
        return members;
    }

    /** Guarded by the limiter's lock. */
    LatencyFigures latencies() {
        return latencies;
    }

    /** Call under lock: the limit in force, and for a cluster-wide group where it comes from. */
    String describe() {
        if (members == 0) {
            return String.valueOf(current);
        }
        return current + ", this member's share of the cluster-wide limit of " + config.clusterLimit() + " over "
                + members + (members == 1 ? " member" : " members")
                + (share == 0 ? " (0: more members than permits; it waits for a member to leave)" : "");
    }

    @Override
    public String toString() {
        return String.valueOf(algorithm);
    }
}
