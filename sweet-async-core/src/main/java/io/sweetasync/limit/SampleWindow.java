package io.sweetasync.limit;

/**
 * Statistics of one window of samples, plain fields, no allocation. Not thread-safe.
 *
 * <p>Work admitted since the window began is <em>fresh</em>: only it says what the current limit does.
 * Latency is not the mean of the fresh samples that completed (the long ones admitted late complete
 * after the window closes, so that mean is biased short), but Little's law over the window,
 * {@code latency = concurrency / rate}: concurrency is the mean in-flight count at the admission of
 * fresh work (admissions see the in-flight count as it is, whatever their size), rate counts every
 * completion, fresh or not, from the first fresh completion on.
 */
final class SampleWindow {

    /**
     * {@link #start} or {@link #alarmStart} before any bound: all work counts. Times are compared by their
     * difference only, as {@link System#nanoTime()} values must be (they may wrap).
     */
    static final long UNBOUNDED = Long.MIN_VALUE;

    private long start = UNBOUNDED;
    private long alarmStart = UNBOUNDED;
    private int alarmCount;
    private double alarmSum;
    private int fresh;
    private int freshDrops;
    private int maxInflight;
    /** The least latency of a fresh sample; {@code Long.MAX_VALUE} before the first. */
    private long freshMin = Long.MAX_VALUE;
    private double inflightSum;
    private int delivered;
    private int deliveredDrops;
    private double deliveredSum;
    private double deliveredSquares;
    private long first;
    private long last;
    private int ticks;
    private long latest;
    private int alarmTicks;

    /**
     * Starts a new window at {@code nanos}: from now on only work admitted at or after it is fresh. Work
     * admitted since {@code alarmFrom} (at most {@code nanos}) still counts towards {@link #alarmMean()}.
     */
    void restart(long nanos, long alarmFrom) {
        start = nanos;
        alarmStart = alarmFrom;
        alarmCount = 0;
        alarmSum = 0;
        fresh = 0;
        freshDrops = 0;
        maxInflight = 0;
        freshMin = Long.MAX_VALUE;
        inflightSum = 0;
        delivered = 0;
        deliveredDrops = 0;
        deliveredSum = 0;
        deliveredSquares = 0;
        ticks = 0;
        alarmTicks = 0;
    }

    /** Records a completion; returns whether it was fresh. */
    boolean add(long startNanos, long rttNanos, int inflight, boolean dropped) {
        long completion = startNanos + rttNanos;
        boolean isFresh = since(startNanos, start);
        if (since(startNanos, alarmStart)) {
            alarmCount++;
            alarmSum += rttNanos;
            if (alarmCount == 1 || completion - latest > 0) {
                latest = completion;
                alarmTicks++;
            }
        }
        if (isFresh) {
            if (fresh == 0) {
                first = completion;
                last = completion;
            }
            fresh++;
            freshDrops += dropped ? 1 : 0;
            maxInflight = Math.max(maxInflight, inflight);
            freshMin = Math.min(freshMin, rttNanos);
            inflightSum += inflight;
        }
        if (fresh > 0) {
            delivered++;
            deliveredDrops += dropped ? 1 : 0;
            deliveredSum += rttNanos;
            deliveredSquares += (double) rttNanos * rttNanos;
            if (completion - last > 0) {
                last = completion;
                ticks++;
            }
        }
        return isFresh;
    }

    /** Whether {@code nanos} is at or after {@code bound} (always, when unbounded), by their difference. */
    private static boolean since(long nanos, long bound) {
        return bound == UNBOUNDED || nanos - bound >= 0;
    }

    /** Fresh samples so far. */
    int count() {
        return fresh;
    }

    int drops() {
        return freshDrops;
    }

    /** Share of fresh samples that were dropped. */
    double dropShare() {
        return fresh == 0 ? 0 : (double) freshDrops / fresh;
    }

    int maxInflight() {
        return maxInflight;
    }

    /** Mean in-flight count at the admission of fresh work, itself included. */
    double concurrency() {
        return fresh == 0 ? 0 : inflightSum / fresh;
    }

    /**
     * How many times the completion time advanced since the first fresh completion: a clock coarser than the
     * work gives many completions the same time, and the rate is only as precise as one tick in this many.
     */
    int ticks() {
        return ticks;
    }

    /** Completions per second from the first fresh completion on; 0 with fewer than two. */
    double rate() {
        return delivered < 2 || last - first <= 0 ? 0 : (delivered - 1) * 1e9 / (last - first);
    }

    /** Completions that were not dropped, per second. */
    double goodRate() {
        return delivered == 0 ? 0 : rate() * (delivered - deliveredDrops) / delivered;
    }

    /**
     * Mean latency in nanoseconds by Little's law, never below the least latency of a fresh sample (their mean cannot
     * be less); the completions' mean while the rate is unknown. The floor matters where completions come in clumps
     * (a long constant round trip: a whole limit's worth returns at once, once per trip): the rate from the first
     * completion to the last then reads high, and Little's latency below every sample's, a baseline too low to
     * ever be met again.
     */
    double latency() {
        double rate = rate();
        if (rate <= 0) {
            return delivered == 0 ? 0 : deliveredSum / delivered;
        }
        double little = concurrency() / rate * 1e9;
        return fresh > 0 ? Math.max(little, freshMin) : little;
    }

    /**
     * Completions in this window of work admitted since the alarm start: fresh work, and older work
     * admitted under a limit no higher than the current one (which the current limit can slow down).
     */
    int alarmCount() {
        return alarmCount;
    }

    /** How many distinct completion times they had (as {@link #ticks()}: a coarse clock gives few). */
    int alarmTicks() {
        return alarmTicks;
    }

    /** Their mean latency in nanoseconds. */
    double alarmMean() {
        return alarmCount == 0 ? 0 : alarmSum / alarmCount;
    }

    /**
     * Coefficient of variation (standard deviation over mean) of the latencies of every completion counted; 0
     * when they were all 0 ns (a clock coarser than the work: they do not vary, and 0/0 would be NaN, which
     * the algorithm's smoothed variation would keep for good).
     */
    double variation() {
        if (delivered < 2) {
            return 1;
        }
        if (deliveredSum <= 0) {
            return 0;
        }
        double mean = deliveredSum / delivered;
        return Math.sqrt(Math.max(0, deliveredSquares / delivered - mean * mean) * delivered / (delivered - 1)) / mean;
    }

    /**
     * Relative standard error of {@link #latency()} and {@link #rate()}: {@link #variation()} over the
     * square root of the completions counted (the number of completions of a busy downstream in a given
     * time varies as its service times do).
     */
    double relativeError() {
        return delivered < 2 ? 1 : variation() / Math.sqrt(delivered);
    }
}
