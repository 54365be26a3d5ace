package io.sweetasync;

import java.time.Instant;
import java.util.Arrays;

/**
 * The slices (attempts) that ran on one thread, in the order they opened, so with increasing start
 * times; found by binary search, so that attributing an event costs O(log n) however many tasks the
 * thread ran lately. Slices nest only when a thread runs an attempt inside another (a caller-runs
 * executor or a pool worker helping while it waits): an event belongs to the innermost slice containing
 * it. Guarded by this object's monitor (the thread adds, the stream thread reads and prunes).
 */
final class SliceTimeline {

    /** One attempt on one thread. {@code end} is null while it runs. */
    static final class Slice {
        final SampledFigures figures;
        final long threadId;
        final boolean virtual;
        final Instant start;
        volatile Instant end;
        /** Set by the stream thread once all events for this slice are in; later ones are late. */
        volatile boolean settled;

        Slice(SampledFigures figures, long threadId, boolean virtual, Instant start) {
            this.figures = figures;
            this.threadId = threadId;
            this.virtual = virtual;
            this.start = start;
        }

        boolean overlaps(Instant from, Instant to) {
            Instant ended = end;
            return !start.isAfter(to) && (ended == null || !ended.isBefore(from));
        }
    }

    /**
     * The slices, {@code [head, size)} in use; room for one to start with: a virtual runtime's thread runs
     * one attempt in its life, and its timeline is kept until that attempt's events have all arrived.
     */
    private Slice[] slices = new Slice[1];
    private int size;
    /** Index of the first slice not yet pruned. */
    private int head;
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
        int low = head;
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
        for (int i = last; i >= head && i >= 0; i--) {
            Slice slice = slices[i];
            Instant end = slice.end;
            if (end == null || !end.isBefore(at)) {
                return slice;
            }
        }
        return null;
    }

    /**
     * Drops settled slices that ended before {@code cutoff} from the front; returns whether none is left,
     * in which case the timeline is retired and must leave the map.
     */
    synchronized boolean prune(Instant cutoff) {
        while (head < size) {
            Slice first = slices[head];
            Instant end = first.end;
            if (!first.settled || end == null || !end.isBefore(cutoff)) {
                break;
            }
            slices[head++] = null;
        }
        if (head > 64 && head > size / 2) {
            System.arraycopy(slices, head, slices, 0, size - head);
            Arrays.fill(slices, size - head, size, null);
            size -= head;
            head = 0;
        }
        retired = head == size;
        return retired;
    }

    /** Calls {@code action} for every slice not yet settled. */
    synchronized void forEachUnsettled(java.util.function.Consumer<Slice> action) {
        for (int i = head; i < size; i++) {
            Slice slice = slices[i];
            if (!slice.settled) {
                action.accept(slice);
            }
        }
    }
}
