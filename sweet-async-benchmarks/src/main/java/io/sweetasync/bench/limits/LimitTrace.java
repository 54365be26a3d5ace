package io.sweetasync.bench.limits;

/**
 * The limit, the downstream's ideal limit and whether the limit sat at its minimum while the downstream
 * had spare capacity and requests were waiting or rejected, sampled every {@link Simulation#TICK_NANOS}.
 * The limit is judged by its 1-second moving average, so that deliberate one-window probes and drains
 * do not count as unsettled; the same rule applies to every contender.
 */
final class LimitTrace {

    static final int AVERAGE_TICKS = 10;
    static final double BAND = 0.2;

    private final int[] limits;
    private final double[] ideals;
    private final boolean[] stuck;
    private int ticks;

    LimitTrace(int capacity) {
        limits = new int[capacity];
        ideals = new double[capacity];
        stuck = new boolean[capacity];
    }

    void tick(int limit, double ideal, boolean stuckAtMinimum) {
        if (ticks < limits.length) {
            limits[ticks] = limit;
            ideals[ticks] = ideal;
            stuck[ticks] = stuckAtMinimum;
            ticks++;
        }
    }

    private boolean inBand(int tick) {
        double sum = 0;
        int from = Math.max(0, tick - AVERAGE_TICKS + 1);
        for (int i = from; i <= tick; i++) {
            sum += limits[i];
        }
        double average = sum / (tick - from + 1);
        return average >= (1 - BAND) * ideals[tick] && average <= (1 + BAND) * ideals[tick];
    }

    /**
     * Per phase: seconds from the phase's start until the limit's moving average entered the band of
     * ±20% around the ideal limit for good; {@code +∞} (never) if it is outside at the phase's end;
     * {@code NaN} when not measured ({@code measured} false, see {@link Scenario#settles()}).
     */
    double[] settleSeconds(int phases, double phaseSeconds, boolean measured) {
        double[] settle = new double[phases];
        int perPhase = (int) Math.round(phaseSeconds * 1e9 / Simulation.TICK_NANOS);
        for (int p = 0; p < phases; p++) {
            if (!measured) {
                settle[p] = Double.NaN;
                continue;
            }
            int from = p * perPhase;
            int to = Math.min(ticks, from + perPhase);
            int lastOutside = -1;
            for (int t = from; t < to; t++) {
                if (!inBand(t)) {
                    lastOutside = t;
                }
            }
            settle[p] = lastOutside == to - 1 ? Double.POSITIVE_INFINITY
                    : lastOutside < 0 ? 0 : (lastOutside + 1 - from) * Simulation.TICK_NANOS / 1e9;
        }
        return settle;
    }

    /** Share of the run during which the limit's moving average lay within ±20% of the ideal. */
    double bandFraction() {
        int in = 0;
        for (int t = 0; t < ticks; t++) {
            in += inBand(t) ? 1 : 0;
        }
        return ticks == 0 ? 0 : (double) in / ticks;
    }

    double idealMax() {
        double most = 0;
        for (int t = 0; t < ticks; t++) {
            most = Math.max(most, ideals[t]);
        }
        return most;
    }

    /** Seconds the limit sat at its minimum while the downstream had spare capacity and demand waited. */
    double stuckSeconds() {
        int count = 0;
        for (int t = 0; t < ticks; t++) {
            count += stuck[t] ? 1 : 0;
        }
        return count * Simulation.TICK_NANOS / 1e9;
    }
}
