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
     * platform thread ({@code MEASURED}). The CPU-time counter is a system call, read at each attempt's start
     * and end: typically a few hundred nanoseconds each on bare metal, 1.5-3 µs on a VM where system calls are dear,
     * which is most of the cost of a task whose body takes microseconds ({@link #OFF} for an orchestrator of
     * many such tasks). Nothing for virtual threads, whose counters the JDK does not provide (no cost there),
     * and no IO figures. A counter switched off while an attempt runs ({@code ThreadMXBean.setThreadCpuTimeEnabled}
     * or {@code setThreadAllocatedMemoryEnabled}) leaves that figure of the task unmeasured; attempts that
     * start and end with it switched on again are measured.
     */
    MEASURE,
    /**
     * {@link #MEASURE}, plus an in-process JDK Flight Recorder stream whose events are attributed to
     * tasks ({@code SAMPLED}): CPU-time samples (JDK 25+ on Linux; elsewhere CPU of virtual-thread tasks
     * stays {@code UNAVAILABLE}), TLAB refills and outside-TLAB allocations, and socket and file reads and
     * writes. So virtual threads get CPU and allocation figures, and every task IO figures: of the calls JFR
     * reports on the task's thread, so not memory-mapped files, asynchronous channels or copies the kernel makes
     * ({@code Files.copy(Path, Path)}, {@code FileChannel.transferTo}), which read as a sampled zero (the README's
     * resource section lists what the figures cannot see).
     *
     * <p>Events arrive about once a second: until all events of a task's work are in, its sampled figures
     * are {@code PENDING} (with what has arrived), and {@link TaskListener#onResourcesUpdated} announces
     * them when final. A final figure is {@code UNAVAILABLE} rather than a guess when the sampling is too
     * coarse for it (under 20 CPU samples of 10 ms, or under 20 TLAB refills where those dominate), when
     * some of its events could not be attributed, or when the stream stopped or fell behind. The README's
     * resource section gives the resolution and lag as measured. Where JFR is unavailable, sampled figures
     * stay {@code UNAVAILABLE}.
     */
    MEASURE_AND_SAMPLE
}
