package io.sweetasync;

import io.sweetasync.TaskFigures.Resource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The figures of one task attributed from JDK Flight Recorder events by {@link ResourceAttribution},
 * and whether they are final.
 *
 * <p><b>Settling.</b> {@code unsettled} counts the task's slices (attempts) that are still open, or
 * closed but not yet passed by a flush: events for them may still arrive. While it is above zero every
 * figure is {@code PENDING} with what has arrived so far. The stream thread is the only writer of
 * amounts, grains and (almost always) distrust, and it writes them before it decrements
 * {@code unsettled}; {@link #value} reads {@code unsettled} first, so a reader that sees zero sees the
 * final amounts. A final figure is {@code SAMPLED} when nothing cast doubt on it and it is above the
 * sampling's resolution ({@link #MIN_GRAINS}), else {@code UNAVAILABLE}. After the task finished, no new
 * slice opens, so figures only move from pending to final.
 *
 * <p><b>Announcing.</b> A task whose figures were still pending when it finished has them announced
 * ({@link TaskListener#onResourcesUpdated}) exactly once, after {@code onFinished}: the finisher sets
 * {@code announceWanted} after its listeners ran and then checks {@code unsettled} (for a runaway, whichever
 * of the finisher and its returning body comes second does this, once: its slice stays open, as its
 * measured attempt does, until the body returns; see {@link TaskFigures#holdFiguresWhileBodyRuns}); the stream thread
 * decrements {@code unsettled} and then checks {@code announceWanted}. Both are volatile, so at least one
 * of them sees the other's write, and the {@code announced} flag lets exactly one of them announce.
 */
final class SampledFigures {

    /**
     * CPU samples or TLAB refills a figure needs before it is reported: each grain may be off by about
     * one sampling period or one TLAB, so below this a figure is too coarse to be near the truth.
     */
    static final int MIN_GRAINS = 20;
    /**
     * Lost CPU samples reported to a task may be another's (see {@link ResourceAttribution}); while they
     * are at most a quarter of its samples, even if none were its own the figure is at most a third high.
     */
    private static final int MAX_DOUBTFUL_SHARE_DIVISOR = 4;
    /** A TLAB-granular share of an allocation figure small enough to trust with fewer grains. */
    private static final int TLAB_SHARE_DIVISOR = 10;

    private final TaskNode<?> node;
    private final UsageTotals totals;
    private final boolean cpuSampled;
    /**
     * The amounts per resource, by ordinal, and the counters below as fields with handles rather than
     * atomic objects: a task's figures are kept until its events have all arrived (a second or two of
     * tasks at any moment), and three atomic objects were a fifth of what it kept.
     */
    private static final VarHandle[] AMOUNTS = {
            TaskFacts.fieldHandle(MethodHandles.lookup(), "cpuAmount", long.class),
            TaskFacts.fieldHandle(MethodHandles.lookup(), "allocatedAmount", long.class),
            TaskFacts.fieldHandle(MethodHandles.lookup(), "readAmount", long.class),
            TaskFacts.fieldHandle(MethodHandles.lookup(), "writtenAmount", long.class) };
    private static final VarHandle UNSETTLED = TaskFacts.fieldHandle(MethodHandles.lookup(), "unsettled", int.class);
    private static final VarHandle ANNOUNCED = TaskFacts.fieldHandle(MethodHandles.lookup(), "announced", boolean.class);

    @SuppressWarnings("unused") // through AMOUNTS
    private volatile long cpuAmount;
    @SuppressWarnings("unused")
    private volatile long allocatedAmount;
    @SuppressWarnings("unused")
    private volatile long readAmount;
    @SuppressWarnings("unused")
    private volatile long writtenAmount;
    private volatile int unsettled;
    /** Written by the stream thread only. */
    private volatile long cpuSamples;
    /** Of cpuSamples, those the sampler lost and reported later: possibly another task's. */
    private volatile long lostCpuSamples;
    private volatile long tlabRefills;
    private volatile long tlabBytes;
    /** Resources (bit per ordinal) whose events may be missing or were not attributable. */
    private volatile int distrusted;
    private volatile boolean announceWanted;
    @SuppressWarnings("unused") // through ANNOUNCED
    private volatile boolean announced;

    SampledFigures(TaskNode<?> node, UsageTotals totals, boolean cpuSampled) {
        this.node = node;
        this.totals = totals;
        this.cpuSampled = cpuSampled;
    }

    TaskNode<?> node() {
        return node;
    }

    /** The figure now: pending, or final (sampled, or unavailable when doubtful or too coarse). */
    ResourceValue value(Resource resource) {
        if (resource == Resource.CPU && !cpuSampled) {
            return ResourceValue.unavailable();
        }
        boolean settled = unsettled == 0;
        long amount = amount(resource);
        if (!settled) {
            return ResourceValue.pending(amount);
        }
        if ((distrusted & bit(resource)) != 0 || !resolved(resource, amount)) {
            return ResourceValue.unavailable();
        }
        return ResourceValue.sampled(amount);
    }

    /**
     * The figure now of a task that another attempt may still add to (a live task between a retry's attempts):
     * {@code PENDING} with what has arrived, unless it can never be obtained (CPU without a CPU sampler) or doubt
     * was cast on it, which no later attempt lifts. A figure too coarse so far is no final {@code UNAVAILABLE}
     * yet: the next attempt's events may bring it over the resolution.
     */
    ResourceValue valueWhileLive(Resource resource) {
        ResourceValue now = value(resource);
        if (now.isAvailable()) {
            return ResourceValue.pending(now.amount());
        }
        if (now.isPending() || resource == Resource.CPU && !cpuSampled || (distrusted & bit(resource)) != 0) {
            return now;
        }
        return ResourceValue.pending(amount(resource));
    }

    /** Whether events of this task's work may still arrive. */
    boolean isPending() {
        return unsettled > 0;
    }

    private boolean resolved(Resource resource, long amount) {
        return switch (resource) {
            case CPU -> cpuSamples >= MIN_GRAINS && lostCpuSamples * MAX_DOUBTFUL_SHARE_DIVISOR <= cpuSamples;
            case ALLOCATED -> amount > 0 && (tlabRefills >= MIN_GRAINS || tlabBytes <= amount / TLAB_SHARE_DIVISOR);
            case READ, WRITTEN -> true; // one event per call, exact bytes
        };
    }

    private long amount(Resource resource) {
        return (long) AMOUNTS[resource.ordinal()].getVolatile(this);
    }

    private static int bit(Resource resource) {
        return 1 << resource.ordinal();
    }

    static int allResources() {
        return (1 << Resource.values().length) - 1;
    }

    /** Of the CPU samples, those the sampler lost and reported later, possibly another task's: for tests. */
    long lostCpuSamples() {
        return lostCpuSamples;
    }

    /** For diagnostics and test messages. */
    @Override
    public String toString() {
        return "SampledFigures[" + java.util.Arrays.stream(Resource.values()).map(r -> r + " " + amount(r)).toList()
                + ", unsettled " + unsettled + ", cpu samples " + cpuSamples
                + " (lost " + lostCpuSamples + "), TLAB refills " + tlabRefills + " (" + tlabBytes + " bytes), distrusted 0b"
                + Integer.toBinaryString(distrusted) + "]";
    }

    // ---- the stream thread's side -------------------------------------------------------------

    /** {@code measured}: the slice's thread counters measured this resource already (see {@link #add(Resource, long, boolean)}). */
    void addCpuSample(long nanos, boolean measured) {
        cpuSamples = cpuSamples + 1;
        add(Resource.CPU, nanos, measured);
    }

    void addLostCpuSamples(int count, long nanosEach, boolean measured) {
        cpuSamples = cpuSamples + count;
        lostCpuSamples = lostCpuSamples + count;
        add(Resource.CPU, count * nanosEach, measured);
    }

    void addTlab(long bytes, boolean measured) {
        tlabRefills = tlabRefills + 1;
        tlabBytes = tlabBytes + bytes;
        add(Resource.ALLOCATED, bytes, measured);
    }

    void add(Resource resource, long amount) {
        add(resource, amount, false);
    }

    /**
     * Adds to this task's sampled figure and, unless {@code measured}, to its name's totals: what an attempt
     * on a platform thread used was measured by its thread's counters and added to the totals then
     * ({@link ResourceMeter}); adding its samples too counted it twice.
     */
    void add(Resource resource, long amount, boolean measured) {
        AMOUNTS[resource.ordinal()].getAndAdd(this, amount);
        if (!measured) {
            totals.addSampled(resource, amount);
        }
    }

    /** Adds to the name's totals alone: sampled amounts of this task withheld from them at first (see {@link SliceTimeline.Slice#withhold}). */
    void addToTotals(Resource resource, long amount) {
        totals.addSampled(resource, amount);
    }

    /** Casts doubt on the resources in {@code mask}: their final figures will be unavailable. */
    synchronized void distrust(int mask) {
        distrusted |= mask;
    }

    /** A slice of this task opened (on the task's thread). */
    void opened() {
        UNSETTLED.getAndAdd(this, 1);
    }

    /**
     * A slice of this task settled: all its events are in. Returns whether the figures became final and
     * the caller must now announce them.
     */
    boolean settledOne() {
        return (int) UNSETTLED.getAndAdd(this, -1) == 1 && announceWanted && ANNOUNCED.compareAndSet(this, false, true);
    }

    /**
     * Called by the finisher after {@code onFinished} showed pending figures: from now on they are
     * announced when final. Returns whether they already are and the caller must announce them.
     */
    boolean announceWhenFinal() {
        announceWanted = true;
        return unsettled == 0 && ANNOUNCED.compareAndSet(this, false, true);
    }
}
