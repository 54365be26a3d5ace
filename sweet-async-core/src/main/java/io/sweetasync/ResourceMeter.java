package io.sweetasync;

import java.lang.management.ManagementFactory;

/**
 * The resources one attempt of a task used, measured on its thread: CPU time and bytes allocated from the
 * thread's own counters on a platform thread, and the attempt's slice of the JFR timeline for sampled
 * attribution ({@link ResourceAttribution}) when sampling is on.
 *
 * <p>Invariants: started and stopped on the attempt's own thread, around the body alone; attempts nested
 * inside this one (a waiting body helping its pool run another task) are counted by themselves and
 * subtracted here, through the thread's {@link Carrier} running totals, so no CPU or allocation is
 * counted twice. A figure is measured only if both readings of its counter were (a counter switched off
 * meanwhile, {@code ThreadMXBean.setThreadCpuTimeEnabled(false)}, reads -1) and so was every attempt nested
 * in it, whose share it could not otherwise subtract: else it is unmeasured, never a clamped zero. On a
 * virtual thread nothing is measured (its counters are its carrier's): only the sampled slice is opened.
 * The slice says whether the counters read at the start: only then do its samples stay out of the name's
 * totals, which the measured figures feed, and only while the attempt may still be measured: one that ends
 * unmeasured puts them in after all.
 *
 * <p>Three kinds: {@link #NONE} (tracking off, or a virtual thread's attempt while sampling is off), the
 * virtual thread's attempt's {@link SliceTimeline.Slice} itself (one object per sampled attempt, not two), and
 * {@link Counted}, a platform thread's counters, with its slice when sampling is on.
 */
abstract class ResourceMeter {

    private static final com.sun.management.ThreadMXBean THREADS = threads();
    /**
     * Whether this JVM has the counters at all. Whether they are switched on is not read here: that can change
     * at any time, both ways, and a counter switched off reads -1 (so its attempts are unmeasured) while one
     * switched back on reads again; a switch read once, as this class loads, left every figure of the JVM's
     * life unmeasured after a counter that was off at that moment.
     */
    private static final boolean CPU_COUNTERS = THREADS != null && THREADS.isCurrentThreadCpuTimeSupported();
    private static final boolean ALLOCATION_COUNTERS = THREADS != null && THREADS.isThreadAllocatedMemorySupported();

    private static com.sun.management.ThreadMXBean threads() {
        try {
            return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean extended ? extended
                    : null;
        }
        catch (LinkageError ex) {
            return null;
        }
    }

    private static final ResourceMeter NONE = new ResourceMeter() {
        @Override
        void stop() {
        }
    };

    static ResourceMeter start(TaskNode<?> node, ResourceTracking tracking, ResourceAttribution attribution) {
        if (tracking == ResourceTracking.OFF) {
            return NONE;
        }
        ResourceAttribution sampler = tracking == ResourceTracking.MEASURE_AND_SAMPLE ? attribution : null;
        if (Thread.currentThread().isVirtual()) {
            // Its counters are its carrier's: this attempt cannot be measured, so neither can the task's sum
            // over attempts (others may have run on platform threads: a retry after a caller-runs executor).
            node.attemptUnmeasured();
            return sampler == null ? NONE : sampler.open(node, false, false);
        }
        ThreadCarrier carrier = Carrier.threadCarrier();
        return new Counted(node, carrier, sampler, CPU_COUNTERS ? THREADS.getCurrentThreadCpuTime() : -1,
                ALLOCATION_COUNTERS ? THREADS.getCurrentThreadAllocatedBytes() : -1, carrier.nestedCpu,
                carrier.nestedAllocated, carrier.unmeasuredCpu, carrier.unmeasuredAllocated);
    }

    /**
     * Ends the attempt. Attempts run nested inside this one (a waiting body helping its pool) were
     * counted by themselves, so their share is subtracted here and added for the enclosing attempt; one
     * that could not be measured leaves this one unmeasured too, as does a counter that reads -1 (switched
     * off at either end).
     */
    abstract void stop();

    /** An attempt on a platform thread: its thread's counters, and its slice when sampling is on. */
    private static final class Counted extends ResourceMeter {

        private final TaskNode<?> node;
        private final ThreadCarrier carrier;
        private final SliceTimeline.Slice slice;
        private final long cpuAtStart;
        private final long allocatedAtStart;
        private final long nestedCpuAtStart;
        private final long nestedAllocatedAtStart;
        private final int unmeasuredCpuAtStart;
        private final int unmeasuredAllocatedAtStart;

        Counted(TaskNode<?> node, ThreadCarrier carrier, ResourceAttribution attribution, long cpu,
                long allocated, long nestedCpu, long nestedAllocated, int unmeasuredCpu, int unmeasuredAllocated) {
            this.node = node;
            this.carrier = carrier;
            this.slice = attribution == null ? null : attribution.open(node, cpu >= 0, allocated >= 0);
            this.cpuAtStart = cpu;
            this.allocatedAtStart = allocated;
            this.nestedCpuAtStart = nestedCpu;
            this.nestedAllocatedAtStart = nestedAllocated;
            this.unmeasuredCpuAtStart = unmeasuredCpu;
            this.unmeasuredAllocatedAtStart = unmeasuredAllocated;
        }

        @Override
        void stop() {
            if (slice != null) {
                slice.stop();
            }
            long cpu = -1;
            long allocated = -1;
            if (CPU_COUNTERS) {
                long now = THREADS.getCurrentThreadCpuTime();
                if (cpuAtStart >= 0 && now >= 0 && carrier.unmeasuredCpu == unmeasuredCpuAtStart) {
                    long total = now - cpuAtStart;
                    cpu = Math.max(0, total - (carrier.nestedCpu - nestedCpuAtStart));
                    carrier.nestedCpu = nestedCpuAtStart + total;
                }
                else {
                    carrier.unmeasuredCpu++;
                }
            }
            if (ALLOCATION_COUNTERS) {
                long now = THREADS.getCurrentThreadAllocatedBytes();
                if (allocatedAtStart >= 0 && now >= 0 && carrier.unmeasuredAllocated == unmeasuredAllocatedAtStart) {
                    long total = now - allocatedAtStart;
                    allocated = Math.max(0, total - (carrier.nestedAllocated - nestedAllocatedAtStart));
                    carrier.nestedAllocated = nestedAllocatedAtStart + total;
                }
                else {
                    carrier.unmeasuredAllocated++;
                }
            }
            if (slice != null) { // its samples were kept out of the totals while it might be measured
                if (cpu < 0) {
                    slice.endedUnmeasured(TaskFigures.Resource.CPU);
                }
                if (allocated < 0) {
                    slice.endedUnmeasured(TaskFigures.Resource.ALLOCATED);
                }
            }
            node.addMeasured(cpu, allocated);
        }
    }
}
