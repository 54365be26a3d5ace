package io.sweetasync;

import java.time.Instant;
import java.util.Arrays;

/**
 * The slices (attempts) that ran on one thread, in the order they opened, so with increasing start
 * times; found by binary search, so that attributing an event costs O(log n) however many tasks the
 * thread ran lately. Slices nest only when a thread runs an attempt inside another (a caller-runs
 * executor or a pool worker helping while it waits): an event belongs to the innermost slice containing
 * it. Guarded by this object's monitor (the thread adds, the stream thread reads and prunes).
 *
 * <p>Invariants: {@code slices[0, size)} are in opening order; pruning forgets every settled slice that
 * ended before its cutoff wherever it is, not only at the front, so the slices nested in a long-lived one
 * (a consumer loop starting tasks on a caller-runs executor), and the tasks their figures name, are not
 * kept for as long as it stays open. (A late event of a forgotten nested slice then goes to its enclosing
 * slice, as one of a forgotten front slice goes to none: both are events later than the late window.)
 */
final class SliceTimeline {

    /** One attempt on one thread. {@code end} is null while it runs. */
    static final class Slice {
        final SampledFigures figures;
        final long threadId;
        /**
         * Whether the attempt's thread counters measured its CPU (allocation) from its start: what it used then
         * counts in its name's totals already ({@link ResourceMeter}), and its samples only make the task's
         * sampled figure. False on a virtual thread, and where a counter read -1.
         */
        final boolean cpuMeasured;
        final boolean allocationMeasured;
        final Instant start;
        volatile Instant end;
        /** Set by the stream thread once all events for this slice are in; later ones are late. */
        volatile boolean settled;

        Slice(SampledFigures figures, long threadId, boolean cpuMeasured, boolean allocationMeasured, Instant start) {
            this.figures = figures;
            this.threadId = threadId;
            this.cpuMeasured = cpuMeasured;
            this.allocationMeasured = allocationMeasured;
            this.start = start;
        }

        boolean overlaps(Instant from, Instant to) {
            Instant ended = end;
            return !start.isAfter(to) && (ended == null || !ended.isBefore(from));
        }
    }

    /**
     * The slices, {@code [0, size)} in use; room for one to start with: a virtual runtime's thread runs
     * one attempt in its life, and its timeline is kept until that attempt's events have all arrived.
     */
    private Slice[] slices = new Slice[1];
    private int size;
    /** Set when pruning emptied it, just before it leaves the map: a slice added now would be lost. */
    private boolean retired;

    /** Adds a slice; false if this timeline was retired (the caller takes a fresh one). */
    synchronized boolean add(Slice slice) {
        if (retired) {
            return false;
        }
        if (size == slices.length) {
            slices = Arrays.copyOf(slices, size * 2);
        }
        slices[size++] = slice;
        return true;
    }

    /** The innermost slice containing {@code at}, or null. */
    synchronized Slice find(Instant at) {
        int low = 0;
        int high = size - 1;
        int last = -1; // the last slice that started at or before `at`
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (slices[mid].start.isAfter(at)) {
                high = mid - 1;
            }
            else {
                last = mid;
                low = mid + 1;
            }
        }
        for (int i = last; i >= 0; i--) {
            Slice slice = slices[i];
            Instant end = slice.end;
            if (end == null || !end.isBefore(at)) {
                return slice;
            }
        }
        return null;
    }

    /**
     * Drops settled slices that ended before {@code cutoff}, wherever they are; returns whether none is
     * left, in which case the timeline is retired and must leave the map.
     */
    synchronized boolean prune(Instant cutoff) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Slice slice = slices[i];
            Instant end = slice.end;
            if (!slice.settled || end == null || !end.isBefore(cutoff)) {
                slices[kept++] = slice;
            }
        }
        Arrays.fill(slices, kept, size, null);
        size = kept;
        retired = size == 0;
        return retired;
    }

    /** Calls {@code action} for every slice not yet settled. */
    synchronized void forEachUnsettled(java.util.function.Consumer<Slice> action) {
        for (int i = 0; i < size; i++) {
            Slice slice = slices[i];
            if (!slice.settled) {
                action.accept(slice);
            }
        }
    }
}
