package io.sweetasync;

import java.io.Serializable;

/**
 * One resource figure of a task (CPU nanoseconds, bytes allocated, bytes read or written) and how it
 * was obtained. A figure that could not be obtained is {@link Source#UNAVAILABLE} with amount
 * {@code -1}; a live task's figure (queued, an attempt runs or another may), a sampled figure whose events have not
 * all arrived yet, or a runaway's while its body still runs, is {@link Source#PENDING}: never a placeholder
 * that looks like a measurement.
 *
 * <pre>{@code
 * ResourceValue cpu = task.metrics().cpuTimeNanos();
 * if (cpu.isAvailable()) System.out.println(cpu.amount() + " ns, " + cpu.source());
 * }</pre>
 *
 * @param amount the figure; for {@code PENDING} what has arrived so far (a lower bound); {@code -1} when
 *               unavailable
 * @param source how it was obtained
 */
public record ResourceValue(long amount, Source source) implements Serializable {

    private static final ResourceValue UNAVAILABLE = new ResourceValue(-1, Source.UNAVAILABLE);
    /** Every snapshot of a task whose sampled events have not arrived shows this one (a record: equal anyway). */
    private static final ResourceValue NOTHING_YET = new ResourceValue(0, Source.PENDING);

    /** How a figure was obtained. */
    public enum Source {
        /** Exact per-thread counters (platform threads). */
        MEASURED,
        /**
         * Attributed from JDK Flight Recorder events, all of which have arrived; an estimate within the
         * resolution the README's resource section states.
         */
        SAMPLED,
        /**
         * Not final yet: a live task's figure while it is queued, an attempt of it runs or another may still run
         * (a retry's next attempt), a figure to be attributed from JDK Flight Recorder events some of which have
         * not arrived yet (they come in about once a second), or a runaway's ({@link TaskInfo#runaway()}: its task
         * ended while its body still runs) until its body returns. The amount is what is known so far, a lower
         * bound (0 if nothing). It becomes {@code MEASURED}, {@code SAMPLED} or {@code UNAVAILABLE}, and
         * {@link TaskListener#onResourcesUpdated} announces that for finished tasks; a runaway whose body
         * outlives its orchestrator's {@code close()} is not announced, and only its own {@code metrics()} turn
         * final when the body returns.
         */
        PENDING,
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

    /** An estimate from sampled events, all of which have arrived. */
    public static ResourceValue sampled(long amount) {
        return new ResourceValue(amount, Source.SAMPLED);
    }

    /** A figure not final yet (sampled events still to arrive, a runaway's body still running): {@code soFar} is what is known. */
    public static ResourceValue pending(long soFar) {
        return soFar == 0 ? NOTHING_YET : new ResourceValue(soFar, Source.PENDING);
    }

    /** Whether the figure is final: {@code MEASURED} or {@code SAMPLED}. */
    public boolean isAvailable() {
        return source == Source.MEASURED || source == Source.SAMPLED;
    }

    /**
     * Whether the figure is not final yet (the task is live, sampled events are still to arrive, a runaway's body
     * runs); its amount is a lower bound.
     */
    public boolean isPending() {
        return source == Source.PENDING;
    }
}
