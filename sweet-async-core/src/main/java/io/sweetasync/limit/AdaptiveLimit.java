package io.sweetasync.limit;

/**
 * {@link LimitAlgorithm#ADAPTIVE}: the default; a concurrency-limit take on TCP BBR. It answers what the
 * others get wrong: Gradient2 creeps up under moderate overload because its baseline follows the
 * inflated latency; Vegas trusts a minimum latency that heavy tails push far below the typical one;
 * AIMD waits for drops.
 *
 * <h2>Model</h2>
 * A downstream with {@code N} parallel slots and mean service time {@code S} serves at most
 * {@code μ = N / S} per second; by Little's law the concurrency it can take without queueing is
 * {@code N = μ · S}. The algorithm estimates both factors and sets the limit to their product:
 * <ul>
 * <li>{@code maxRate}: the highest delivery rate (completions per second) of the last 10 windows in which
 * demand reached the limit;</li>
 * <li>{@code base}: the mean latency measured in <em>drain</em> windows, where the limit is deliberately
 * 25% under the estimate so that nothing queues (average of the last 3). Unlike a minimum it is not
 * biased by heavy tails; unlike a long average it never follows queueing up.</li>
 * </ul>
 *
 * <h2>Windows and phases</h2>
 * Samples are grouped in windows of {@code max(50, 4·L)}; at the end of each window where demand reached
 * the limit (max in-flight ≥ 0.9·L; other windows change nothing):
 * <pre>
 * congested (drops, or avg &gt; base + max(3·stderr, 5%)):  L ← X · base   (X: this window's rate;
 *                                                        the concurrency the downstream really serves)
 * STARTUP:  L ← 1.5 · maxRate · base while the rate still grows by 10% a window; then DRAIN
 * DRAIN:    L ← 0.75 · maxRate · base for one window, whose mean latency refreshes base; then CRUISE
 * CRUISE:   L ← 1.05 · maxRate · base for 6 windows; then PROBE
 * PROBE:    L ← 1.25 · maxRate · base for one window; if the rate grew 10%, capacity rose: STARTUP;
 *           else DRAIN
 * </pre>
 * clamped to {@code [min, max]}. After a capacity drop the first congested window sets the limit to the
 * new capacity; after a rise the next probe notices it and startup doubles the limit in two windows.
 * A false alarm below capacity costs nothing, since there {@code X · base ≈ L}.
 */
final class AdaptiveLimit implements Limit {

    static final int MIN_WINDOW = 50;
    static final int RATE_WINDOWS = 10;
    static final int BASE_WINDOWS = 3;
    static final int CRUISE_WINDOWS = 6;
    static final double UTILIZATION = 0.85;
    static final double TOUCH = 0.9;
    static final double MIN_TOLERANCE = 0.05;
    static final double GROWTH = 1.08;
    static final double STARTUP_GAIN = 1.5;
    static final double DRAIN_GAIN = 0.85;
    static final double PROBE_GAIN = 1.15;
    static final double CRUISE_GAIN = 1.05;

    enum Phase { STARTUP, DRAIN, CRUISE, PROBE }

    private final int min;
    private final int max;
    private int limit;
    private Phase phase = Phase.STARTUP;
    private int cruised;
    private double rateBeforeProbe;
    private double startupRate;
    private int startupStalls;

    private int count;
    private double rttSum;
    private double rttSquares;
    private long firstCompletion = Long.MAX_VALUE;
    private long lastCompletion = Long.MIN_VALUE;
    private int maxInflight;
    private int drops;

    /** Delivery rates of recent busy windows. */
    private final Window rates = new Window(RATE_WINDOWS);
    /** Mean latencies of the last drain windows. */
    private final Window drained = new Window(BASE_WINDOWS);
    /** Until the first drain: mean latencies of recent busy windows (their lowest is the baseline). */
    private final Window recentMeans = new Window(RATE_WINDOWS);

    AdaptiveLimit(LimiterConfig config) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.limit = config.initialLimit();
    }

    @Override
    public int limit() {
        return limit;
    }

    Phase phase() {
        return phase;
    }

    /** The uncongested mean latency in nanoseconds, 0 before the first window. */
    double baselineNanos() {
        return drained.isEmpty() ? recentMeans.min() : drained.mean();
    }

    /** The median of the recent busy windows' delivery rates: robust to per-window noise. */
    double typicalRate() {
        return rates.median();
    }

    double maxRate() {
        return rates.max();
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
        if (rttNanos < 0) {
            return;
        }
        count++;
        rttSum += rttNanos;
        rttSquares += (double) rttNanos * rttNanos;
        long completion = startNanos + rttNanos;
        firstCompletion = Math.min(firstCompletion, completion);
        lastCompletion = Math.max(lastCompletion, completion);
        maxInflight = Math.max(maxInflight, inflight);
        if (dropped) {
            drops++;
        }
        if (count >= Math.max(MIN_WINDOW, 4 * limit)) {
            endWindow();
        }
    }

    private void endWindow() {
        double avg = rttSum / count;
        double standardError = Math.sqrt(Math.max(0, rttSquares / count - avg * avg) / count);
        long span = lastCompletion - firstCompletion;
        double rate = span > 0 ? (count - 1) * 1e9 / span : 0;
        boolean touched = maxInflight >= TOUCH * limit;
        // Little's law: mean in flight = rate x latency; busy on average, not just in a burst.
        boolean saturated = rate * avg / 1e9 >= UTILIZATION * limit;
        boolean dropped = drops > 0;
        resetWindow();
        if (!saturated || rate <= 0) {
            if (touched) {
                limit = clamp(limit + Math.max(1, limit / 10.0));
            }
            return;
        }
        recentMeans.add(avg);
        double base = baselineNanos();
        boolean congested = dropped || avg > base + Math.max(3 * standardError, MIN_TOLERANCE * base);
        if (congested && phase != Phase.DRAIN) {
            limit = clamp(Math.min(limit, rate * base / 1e9));
            rates.clear();
            rates.add(rate);
            if (phase != Phase.CRUISE) {
                phase = Phase.CRUISE;
                cruised = 0;
            }
            return;
        }
        rates.add(rate);
        double bdp = (phase == Phase.STARTUP ? maxRate() : typicalRate()) * base / 1e9;
        switch (phase) {
            case STARTUP -> {
                if (rate > startupRate * GROWTH) {
                    startupRate = rate;
                    startupStalls = 0;
                }
                else {
                    startupStalls++;
                }
                if (startupStalls >= 2) {
                    enterDrain(bdp);
                }
                else {
                    limit = clamp(Math.max(limit + 1, STARTUP_GAIN * bdp));
                }
            }
            case DRAIN -> {
                // A drain taken while the estimate was too high still queued: let no single drain
                // raise the baseline by more than 10% (a real slowdown is followed within a few cycles).
                drained.add(drained.isEmpty() ? avg : Math.min(avg, 1.1 * base));
                phase = Phase.CRUISE;
                cruised = 0;
                limit = clamp(CRUISE_GAIN * typicalRate() * baselineNanos() / 1e9);
            }
            case CRUISE -> {
                if (++cruised >= CRUISE_WINDOWS) {
                    phase = Phase.PROBE;
                    rateBeforeProbe = maxRate();
                    limit = clamp(Math.max(limit + 1, PROBE_GAIN * bdp));
                }
                else {
                    limit = clamp(CRUISE_GAIN * bdp);
                }
            }
            case PROBE -> {
                if (rate > rateBeforeProbe * GROWTH) {
                    phase = Phase.STARTUP;
                    startupRate = rate;
                    startupStalls = 0;
                    limit = clamp(Math.max(limit + 1, STARTUP_GAIN * bdp));
                }
                else {
                    enterDrain(bdp);
                }
            }
        }
    }

    private void enterDrain(double bdp) {
        phase = Phase.DRAIN;
        limit = clamp(DRAIN_GAIN * bdp);
    }

    private void resetWindow() {
        count = 0;
        rttSum = 0;
        rttSquares = 0;
        firstCompletion = Long.MAX_VALUE;
        lastCompletion = Long.MIN_VALUE;
        maxInflight = 0;
        drops = 0;
    }

    private int clamp(double value) {
        return (int) Math.max(min, Math.min(max, Math.round(value)));
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[" + limit + ", " + phase + ", baseline=" + (long) baselineNanos() + "ns]";
    }
}
