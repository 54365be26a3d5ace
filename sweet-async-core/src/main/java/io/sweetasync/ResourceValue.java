package io.sweetasync;

/**
 * One resource figure of a task (CPU nanoseconds, bytes allocated, bytes read or written) and how it
 * was obtained. A figure that could not be obtained is {@link Source#UNAVAILABLE} with amount
 * {@code -1}: never a placeholder that looks like a measurement.
 *
 * <pre>{@code
 * ResourceValue cpu = task.metrics().cpuTimeNanos();
 * if (cpu.isAvailable()) System.out.println(cpu.amount() + " ns, " + cpu.source());
 * }</pre>
 *
 * @param amount the figure, or {@code -1} when unavailable
 * @param source how it was obtained
 */
public record ResourceValue(long amount, Source source) {

    private static final ResourceValue UNAVAILABLE = new ResourceValue(-1, Source.UNAVAILABLE);

    /** How a figure was obtained. */
    public enum Source {
        /** Exact per-thread counters (platform threads). */
        MEASURED,
        /** Attributed from sampled events (JDK Flight Recorder); an estimate. */
        SAMPLED,
        /** Not obtained. */
        UNAVAILABLE
    }

    public ResourceValue {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        if (source == Source.UNAVAILABLE ? amount != -1 : amount < 0) {
            throw new IllegalArgumentException("amount " + amount + " does not fit source " + source
                    + " (UNAVAILABLE takes -1, others a non-negative amount)");
        }
    }

    /** The figure for something that was not obtained. */
    public static ResourceValue unavailable() {
        return UNAVAILABLE;
    }

    /** An exact figure. */
    public static ResourceValue measured(long amount) {
        return new ResourceValue(amount, Source.MEASURED);
    }

    /** An estimate from sampled events. */
    public static ResourceValue sampled(long amount) {
        return new ResourceValue(amount, Source.SAMPLED);
    }

    /** Whether a figure was obtained. */
    public boolean isAvailable() {
        return source != Source.UNAVAILABLE;
    }
}
