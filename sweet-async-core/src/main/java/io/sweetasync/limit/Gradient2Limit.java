package io.sweetasync.limit;

/**
 * {@link LimitAlgorithm#GRADIENT2}, as Netflix concurrency-limits' {@code Gradient2Limit} (v0.5.x).
 * With {@code shortRtt} the sample's latency and {@code longRtt} an exponential average over 600
 * samples (a plain average for the first 10):
 * <pre>
 * if longRtt / shortRtt &gt; 2:   longRtt ← longRtt · 0.95        (recover after a latency spike)
 * if inflight &lt; L / 2:         unchanged                       (app-limited)
 * gradient = clamp(1.5 · longRtt / shortRtt, 0.5, 1.0)
 * L' = L · gradient + 4                                        (queue headroom)
 * L  ← clamp(L · 0.8 + L' · 0.2, min, max)                      (smoothing 0.2)
 * </pre>
 * Its weakness: the tolerance of 1.5 and the headroom that is always added let the limit creep up under
 * moderate overload, while {@code longRtt} follows the inflated latency.
 */
final class Gradient2Limit implements Limit {

    private static final double TOLERANCE = 1.5;
    private static final double SMOOTHING = 0.2;
    private static final int QUEUE = 4;
    private static final int LONG_WINDOW = 600;
    private static final int WARMUP = 10;

    private final int min;
    private final int max;
    private double estimatedLimit;
    private double longRtt;
    private int samples;

    Gradient2Limit(LimiterConfig config) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.estimatedLimit = config.initialLimit();
    }

    @Override
    public int limit() {
        return (int) estimatedLimit;
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
        if (rttNanos < 0) {
            return; // a clock that stepped back: says nothing of the downstream
        }
        // A clock coarser than the work measures it as 0 ns: counted as 1 ns, or 0/0 makes the limit NaN, which
        // limit() reads as 0 for good (the group would admit nothing ever again).
        double shortRtt = Math.max(1, rttNanos);
        if (samples < WARMUP) {
            samples++;
            longRtt += (shortRtt - longRtt) / samples;
        }
        else {
            double factor = 2.0 / (LONG_WINDOW + 1);
            longRtt = longRtt * (1 - factor) + shortRtt * factor;
        }
        if (longRtt / shortRtt > 2) {
            longRtt *= 0.95;
        }
        if (inflight < estimatedLimit / 2) {
            return;
        }
        double gradient = Math.max(0.5, Math.min(1.0, TOLERANCE * longRtt / shortRtt));
        double next = estimatedLimit * gradient + QUEUE;
        next = estimatedLimit * (1 - SMOOTHING) + next * SMOOTHING;
        estimatedLimit = Math.max(min, Math.min(max, next));
    }

    @Override
    public String toString() {
        return "Gradient2Limit[" + limit() + "]";
    }
}
