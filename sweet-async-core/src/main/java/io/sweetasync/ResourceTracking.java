package io.sweetasync;

/**
 * How an orchestrator obtains per-task resource figures ({@link TaskMetrics}).
 *
 * <pre>{@code
 * TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();
 * }</pre>
 */
public enum ResourceTracking {
    /** No resource figures: all {@link ResourceValue.Source#UNAVAILABLE}. Times are still measured. */
    OFF,
    /**
     * The default: exact CPU time and allocated bytes from per-thread counters around each attempt on a
     * platform thread ({@code MEASURED}); about a microsecond per attempt. Nothing for virtual threads,
     * whose counters the JDK does not provide, and no IO figures.
     */
    MEASURE,
    /**
     * {@link #MEASURE}, plus an in-process JDK Flight Recorder stream whose execution samples (every
     * 10 ms), TLAB-refill and outside-TLAB allocation events and socket/file read/write events are
     * attributed to tasks
     * ({@code SAMPLED}): CPU and allocation for virtual threads, IO bytes for all. Sampled figures
     * arrive about a second after the work. Where JFR is unavailable they stay {@code UNAVAILABLE}.
     * Sampled allocation has TLAB granularity: a TLAB belongs to the carrier thread, so a virtual thread
     * can be charged the rest of a TLAB another virtual thread refilled on the same carrier (at most one
     * TLAB per switch).
     */
    MEASURE_AND_SAMPLE
}
