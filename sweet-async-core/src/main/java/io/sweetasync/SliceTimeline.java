package io.sweetasync;

import io.sweetasync.TaskFigures.Resource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The slices (attempts) that ran on one thread, in the order they opened, so with increasing start
 * times; found by binary search, so that attributing an event costs O(log n) however many tasks the
 * thread ran lately. Made for a thread's second slice kept at once (a thread with one is kept as that slice
 * in the {@link SliceLedger}: a virtual runtime's thread runs one attempt in its life). Slices nest only when a thread runs an attempt inside another (a caller-runs
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

    /**
     * One attempt on one thread, and the attempt's meter on a virtual thread (whose counters cannot measure
     * it: its slice is all there is to stop). Times are {@link System#nanoTime()} ({@link #now()}), onto which
     * JFR's event times are mapped ({@link JfrClock}); {@code end} is {@link #OPEN} while it runs.
     */
    static final class Slice extends ResourceMeter {
        private static final VarHandle[] WITHHELD = {
                TaskFacts.fieldHandle(MethodHandles.lookup(), "withheldCpu", long.class),
                TaskFacts.fieldHandle(MethodHandles.lookup(), "withheldAllocated", long.class) };
        /** {@link #withheldCpu} (allocated) once the attempt ended unmeasured: nothing is withheld any more. */
        private static final long RELEASED = -1;
        final SliceLedger ledger;
        final SampledFigures figures;
        /** Its thread's id, boxed once: the ledger's key for it, at opening and at pruning. */
        final Long thread;
        /**
         * Whether the attempt's thread counters measured its CPU (allocation) from its start: what it used then
         * counts in its name's totals already ({@link ResourceMeter}), and its samples only make the task's
         * sampled figure. False on a virtual thread, and where a counter read -1. An attempt that ends unmeasured
         * all the same (a counter switched off meanwhile) puts its samples in the totals after all: see
         * {@link #withhold}.
         */
        final boolean cpuMeasured;
        final boolean allocationMeasured;
        /**
         * Of a resource measured from the start, the sampled amount kept out of the totals so far, or
         * {@link #RELEASED} once the attempt ended unmeasured ({@link #endedUnmeasured}); by {@link Resource}
         * ordinal (CPU, allocated). The stream thread adds, the attempt's thread releases, each atomically, so
         * that every amount reaches the totals exactly once or never.
         */
        @SuppressWarnings("unused") // through WITHHELD
        private volatile long withheldCpu;
        @SuppressWarnings("unused")
        private volatile long withheldAllocated;
        final long start;
        volatile long end = OPEN;
        /** Set by the stream thread once all events for this slice are in; later ones are late. */
        volatile boolean settled;

        Slice(SliceLedger ledger, SampledFigures figures, Long thread, boolean cpuMeasured,
                boolean allocationMeasured, long start) {
            this.ledger = ledger;
            this.figures = figures;
            this.thread = thread;
            this.cpuMeasured = cpuMeasured;
            this.allocationMeasured = allocationMeasured;
            this.start = start;
        }

        /**
         * Called by the stream thread for {@code amount} of {@code resource} attributed to this slice: whether it
         * stays out of the name's totals (the thread's counters measure it, and their figure counts there), or, if
         * false, must be added to them (not measured from the start, or the attempt ended unmeasured).
         */
        boolean withhold(Resource resource, long amount) {
            if (!measuredFromStart(resource)) {
                return false;
            }
            VarHandle withheld = WITHHELD[resource.ordinal()];
            long before;
            do {
                before = (long) withheld.getVolatile(this);
                if (before == RELEASED) {
                    return false;
                }
            } while (!withheld.compareAndSet(this, before, before + amount));
            return true;
        }

        /**
         * Called by the attempt's thread when its counters could not measure {@code resource} after all (read -1
         * at its end: switched off meanwhile, or a nested attempt's was): what was withheld goes to the totals
         * now, and what arrives later goes there as it arrives.
         */
        void endedUnmeasured(Resource resource) {
            if (measuredFromStart(resource)) {
                long withheld = (long) WITHHELD[resource.ordinal()].getAndSet(this, RELEASED);
                if (withheld > 0) {
                    figures.addToTotals(resource, withheld);
                }
            }
        }

        private boolean measuredFromStart(Resource resource) {
            return resource == Resource.CPU ? cpuMeasured : resource == Resource.ALLOCATED && allocationMeasured;
        }

        /** Closes this slice (a virtual thread's attempt ended). */
        @Override
        void stop() {
            ledger.close(this);
        }

        boolean overlaps(long from, long to) {
            return start <= to && end >= from;
        }

        boolean contains(long at) {
            return start <= at && end >= at;
        }
    }

    /** {@link Slice#end} of a slice still open: later than any time. */
    static final long OPEN = Long.MAX_VALUE;

    /**
     * The time now on the slices' clock, {@link System#nanoTime()}: monotonic, as JFR's ticks are. (The wall
     * clock may be slewed or stepped while a task runs, and JFR's times do not follow it: see {@link JfrClock}.)
     */
    static long now() {
        return System.nanoTime();
    }

    /** {@code time} in nanoseconds since the epoch, clamped to the longs (years 1677 to 2262). */
    static long nanos(Instant time) {
        long seconds = time.getEpochSecond();
        if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE - 1; // still before OPEN
        }
        if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
            return Long.MIN_VALUE;
        }
        return seconds * 1_000_000_000L + time.getNano();
    }

    /**
     * The slices, {@code [0, size)} in use. A thread's first slice is kept without a timeline (a virtual
     * runtime's thread runs one attempt in its life): a timeline is made when a second one opens while the
     * first is still kept ({@link SliceLedger#open}).
     */
    private Slice[] slices = new Slice[4];
    private int size;
    /** Set when pruning emptied it, just before it leaves the map: a slice added now would be lost. */
    private boolean retired;
    /** The ledger's prune pass that last pruned this timeline; read and written under the ledger's settle lock. */
    long prunedInPass;

    SliceTimeline(Slice first, Slice second) {
        slices[0] = first;
        slices[1] = second;
        size = 2;
    }

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
    synchronized Slice find(long at) {
        int low = 0;
        int high = size - 1;
        int last = -1; // the last slice that started at or before `at`
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (slices[mid].start > at) {
                high = mid - 1;
            }
            else {
                last = mid;
                low = mid + 1;
            }
        }
        for (int i = last; i >= 0; i--) {
            Slice slice = slices[i];
            if (slice.end >= at) {
                return slice;
            }
        }
        return null;
    }

    /**
     * Drops settled slices that ended before {@code cutoff}, wherever they are; returns whether none is
     * left, in which case the timeline is retired and must leave the map.
     */
    synchronized boolean prune(long cutoff) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Slice slice = slices[i];
            if (!slice.settled || slice.end >= cutoff) {
                slices[kept++] = slice;
            }
        }
        Arrays.fill(slices, kept, size, null);
        size = kept;
        retired = size == 0;
        return retired;
    }

    /** Calls {@code action} for every slice not yet settled of {@code entry}, a ledger's: a slice or a timeline. */
    static void forEachUnsettled(Object entry, Consumer<Slice> action) {
        if (entry instanceof SliceTimeline timeline) {
            timeline.forEachUnsettled(action);
        }
        else if (!((Slice) entry).settled) {
            action.accept((Slice) entry);
        }
    }

    private synchronized void forEachUnsettled(Consumer<Slice> action) {
        for (int i = 0; i < size; i++) {
            Slice slice = slices[i];
            if (!slice.settled) {
                action.accept(slice);
            }
        }
    }
}
