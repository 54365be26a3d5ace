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
     * 10 ms), allocation samples and socket/file read/write events are attributed to tasks
     * ({@code SAMPLED}): CPU and allocation for virtual threads, IO bytes for all. Sampled figures
     * arrive about a second after the work. Where JFR is unavailable they stay {@code UNAVAILABLE}.
     * Sampled allocation is the roughest figure: JFR's sample weights accrue per carrier thread, so a
     * virtual thread can be charged bytes allocated just before it by another virtual thread on the same
     * carrier; expect the right order of magnitude, not precision.
     */
    MEASURE_AND_SAMPLE
}
