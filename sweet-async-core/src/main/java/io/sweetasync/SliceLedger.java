package io.sweetasync;

import io.sweetasync.SliceTimeline.Slice;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The slices (attempts) that JFR events may still be attributed to, per thread, and their settling:
 * which slices have all their events, so that their tasks' figures are final (see
 * {@link ResourceAttribution} for when that is, and {@link SampledFigures} for what it means).
 *
 * <p>A slice is open (in its thread's timeline), then closed (also in {@code closed}, in closing order),
 * then settled (marked, and in {@code settled} until pruned from its timeline, so that late events are
 * recognised). Settling, pruning and giving up run under {@code settleLock}: the stream thread takes it at
 * every flush, task threads only to give up on a stream that fell {@link #STALL} behind (tryLock) or
 * stopped. Giving up prunes too (a stopped stream's slices as they close), so that the ledger stays bounded
 * when no flush comes. Timelines are guarded by their monitors; the map and {@code closed} are concurrent.
 *
 * <p>The map holds a thread's only slice itself, and a {@link SliceTimeline} once a second one opens while the
 * first is kept (a pool's thread, nested attempts): a virtual runtime's thread runs one attempt in its life,
 * and its entry is then one map node, no timeline. Only a thread itself adds to its entry; only pruning (under
 * {@code settleLock}) takes from it. Times are {@link System#nanoTime()} (see {@link Slice}).
 */
final class SliceLedger {

    private static final System.Logger LOG = System.getLogger(SliceLedger.class.getName());
    /** A closed slice still unsettled after this means the stream fell behind: its figures are given up. */
    static final Duration STALL = Duration.ofSeconds(30);
    private static final long STALL_NANOS = STALL.toNanos();
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    /** Per thread id: its only slice, or its {@link SliceTimeline}. */
    private final Map<Long, Object> threads = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Slice> closed = new ConcurrentLinkedQueue<>();
    private final ReentrantLock settleLock = new ReentrantLock();
    /** Guarded by settleLock. */
    private final ArrayDeque<Slice> settled = new ArrayDeque<>();
    /** Tasks whose figures became final and must be announced; guarded by settleLock. */
    private final List<TaskNode<?>> toAnnounce = new ArrayList<>();
    private final FigureUpdates updates;
    private volatile boolean stopped;
    private volatile long stallLogged = Long.MIN_VALUE;
    /** Counts {@link #prune} passes, so that a pass prunes each timeline once; guarded by settleLock. */
    private long prunePasses;

    SliceLedger(FigureUpdates updates) {
        this.updates = updates;
    }

    // ---- task threads ---------------------------------------------------------------------------

    /** Opens a slice of {@code figures}' task on the current thread (see {@link Slice#cpuMeasured}). */
    Slice open(SampledFigures figures, boolean cpuMeasured, boolean allocationMeasured) {
        return open(Thread.currentThread().threadId(), figures, cpuMeasured, allocationMeasured);
    }

    /** As {@link #open(SampledFigures, boolean, boolean)}, on the thread of id {@code threadId}: only it opens there. */
    Slice open(long threadId, SampledFigures figures, boolean cpuMeasured, boolean allocationMeasured) {
        figures.opened();
        long now = SliceTimeline.now();
        Long thread = threadId;
        Slice slice = new Slice(this, figures, thread, cpuMeasured, allocationMeasured, now);
        while (true) {
            Object present = threads.putIfAbsent(thread, slice);
            if (present == null) {
                break;
            }
            if (present instanceof SliceTimeline timeline) {
                if (timeline.add(slice)) {
                    break;
                }
                threads.remove(thread, timeline); // pruned empty meanwhile
            }
            else if (threads.replace(thread, present, new SliceTimeline((Slice) present, slice))) {
                break; // else the first slice was pruned meanwhile: try again
            }
        }
        giveUpIfStalled(now);
        return slice;
    }

    void close(Slice slice) {
        slice.end = SliceTimeline.now();
        closed.add(slice);
        if (stopped) {
            giveUp();
        }
    }

    private void giveUpIfStalled(long now) {
        Slice oldest = closed.peek();
        long cutoff = now - STALL_NANOS;
        if (oldest != null && oldest.end < cutoff && settleLock.tryLock()) {
            try {
                int given = settleUntil(cutoff, true);
                prune(cutoff); // a stream that does not flush does not prune either
                if (stallLogged < now - MINUTE_NANOS) {
                    stallLogged = now;
                    LOG.log(Level.WARNING, "the JDK Flight Recorder stream is more than " + STALL.toSeconds()
                            + "s behind: sampled figures of " + given + " attempts are UNAVAILABLE");
                }
                announce();
            }
            finally {
                settleLock.unlock();
            }
        }
    }

    /**
     * The stream stopped: every figure still pending ends unavailable, now or when its slice closes. Under
     * {@code settleLock}, as settling is: the stream thread may still be settling a flush as the orchestrator
     * closes (closing a {@code RecordingStream} does not wait for its thread), and a slice that flush settled
     * between this finding it unsettled and distrusting it turned a final {@code SAMPLED} figure, perhaps
     * announced, into {@code UNAVAILABLE}.
     */
    void stop() {
        stopped = true;
        settleLock.lock();
        try {
            threads.values().forEach(entry -> SliceTimeline.forEachUnsettled(entry,
                    slice -> slice.figures.distrust(SampledFigures.allResources())));
            giveUp();
        }
        finally {
            settleLock.unlock();
        }
    }

    private void giveUp() {
        settleLock.lock();
        try {
            settleUntil(SliceTimeline.OPEN, true);
            prune(SliceTimeline.OPEN); // no flush will ever prune again: no slice is kept for late events
            announce();
        }
        finally {
            settleLock.unlock();
        }
    }

    // ---- the stream thread ----------------------------------------------------------------------

    /** How many threads have slices kept (open, or settled and kept for late events); for tests. */
    int threadsKept() {
        return threads.size();
    }

    /** Whether thread {@code threadId} has a slice kept (open, or settled and kept for late events). */
    boolean keeps(long threadId) {
        return threads.containsKey(threadId);
    }

    /** The innermost slice of thread {@code threadId} containing {@code time} (on the slices' clock), or null. */
    Slice find(long threadId, long time) {
        Object entry = threads.get(threadId);
        if (entry instanceof SliceTimeline timeline) {
            return timeline.find(time);
        }
        return entry != null && ((Slice) entry).contains(time) ? (Slice) entry : null;
    }

    /**
     * A flush delivered every event of slices that ended before {@code until}: applies {@code doubts}
     * to the slices still unsettled, settles those, announces tasks whose figures became final, and
     * forgets settled slices that ended before {@code forgetBefore} (times on the slices' clock).
     */
    void settle(long until, List<Doubts.Doubt> doubts, long forgetBefore) {
        settleLock.lock();
        try {
            if (!doubts.isEmpty()) {
                threads.values().forEach(entry -> SliceTimeline.forEachUnsettled(entry, slice -> {
                    for (Doubts.Doubt doubt : doubts) {
                        if (slice.overlaps(doubt.from(), doubt.to())) {
                            slice.figures.distrust(doubt.resources());
                        }
                    }
                }));
            }
            settleUntil(until, false);
            prune(forgetBefore);
            announce();
        }
        finally {
            settleLock.unlock();
        }
    }

    /** Settles closed slices that ended before {@code cutoff}; returns how many. Under settleLock. */
    private int settleUntil(long cutoff, boolean distrust) {
        int count = 0;
        Slice head;
        while ((head = closed.peek()) != null && head.end < cutoff) {
            closed.poll();
            if (distrust) {
                head.figures.distrust(SampledFigures.allResources());
            }
            head.settled = true;
            settled.add(head);
            if (head.figures.settledOne()) {
                toAnnounce.add(head.figures.node());
            }
            count++;
        }
        return count;
    }

    /** Under settleLock. */
    private void announce() {
        toAnnounce.forEach(updates::offer);
        toAnnounce.clear();
    }

    /**
     * Under settleLock. Forgets settled slices that ended before {@code cutoff}: a thread's only slice leaves
     * the map; each timeline a forgotten slice was on is pruned once per pass (a pass over its slices).
     */
    private void prune(long cutoff) {
        long pass = ++prunePasses;
        Slice first;
        while ((first = settled.peek()) != null && first.end < cutoff) {
            settled.poll();
            Long thread = first.thread;
            Object entry = threads.get(thread);
            if (entry == first) {
                if (threads.remove(thread, first)) {
                    continue;
                }
                entry = threads.get(thread); // its thread opened another meanwhile: a timeline of both now
            }
            if (entry instanceof SliceTimeline timeline && timeline.prunedInPass != pass) {
                timeline.prunedInPass = pass;
                if (timeline.prune(cutoff)) {
                    threads.remove(thread, timeline);
                }
            }
        }
    }
}
