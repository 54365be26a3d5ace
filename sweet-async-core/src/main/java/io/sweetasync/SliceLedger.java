package io.sweetasync;

import io.sweetasync.SliceTimeline.Slice;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 */
final class SliceLedger {

    private static final System.Logger LOG = System.getLogger(SliceLedger.class.getName());
    /** A closed slice still unsettled after this means the stream fell behind: its figures are given up. */
    static final Duration STALL = Duration.ofSeconds(30);

    private final Map<Long, SliceTimeline> timelines = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Slice> closed = new ConcurrentLinkedQueue<>();
    private final ReentrantLock settleLock = new ReentrantLock();
    /** Guarded by settleLock. */
    private final ArrayDeque<Slice> settled = new ArrayDeque<>();
    /** Tasks whose figures became final and must be announced; guarded by settleLock. */
    private final List<TaskNode<?>> toAnnounce = new ArrayList<>();
    private final FigureUpdates updates;
    private volatile boolean stopped;
    private volatile Instant stallLogged = Instant.EPOCH;

    SliceLedger(FigureUpdates updates) {
        this.updates = updates;
    }

    // ---- task threads ---------------------------------------------------------------------------

    /** Opens a slice of {@code figures}' task on the current thread (see {@link Slice#cpuMeasured}). */
    Slice open(SampledFigures figures, boolean cpuMeasured, boolean allocationMeasured) {
        figures.opened();
        Instant now = Instant.now();
        Slice slice = new Slice(figures, Thread.currentThread().threadId(), cpuMeasured, allocationMeasured, now);
        while (true) {
            SliceTimeline timeline = timelines.computeIfAbsent(slice.threadId, id -> new SliceTimeline());
            if (timeline.add(slice)) {
                break;
            }
            timelines.remove(slice.threadId, timeline); // pruned empty meanwhile
        }
        giveUpIfStalled(now);
        return slice;
    }

    void close(Slice slice) {
        slice.end = Instant.now();
        closed.add(slice);
        if (stopped) {
            giveUp();
        }
    }

    private void giveUpIfStalled(Instant now) {
        Slice oldest = closed.peek();
        Instant cutoff = now.minus(STALL);
        if (oldest != null && oldest.end.isBefore(cutoff) && settleLock.tryLock()) {
            try {
                int given = settleUntil(cutoff, true);
                prune(cutoff); // a stream that does not flush does not prune either
                if (stallLogged.isBefore(now.minus(Duration.ofMinutes(1)))) {
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

    /** The stream stopped: every figure still pending ends unavailable, now or when its slice closes. */
    void stop() {
        stopped = true;
        timelines.values().forEach(timeline -> timeline.forEachUnsettled(
                slice -> slice.figures.distrust(SampledFigures.allResources())));
        giveUp();
    }

    private void giveUp() {
        settleLock.lock();
        try {
            settleUntil(Instant.MAX, true);
            prune(Instant.MAX); // no flush will ever prune again: no slice is kept for late events
            announce();
        }
        finally {
            settleLock.unlock();
        }
    }

    // ---- the stream thread ----------------------------------------------------------------------

    /** The innermost slice of thread {@code threadId} containing {@code at}, or null. */
    Slice find(long threadId, Instant at) {
        SliceTimeline timeline = timelines.get(threadId);
        return timeline == null ? null : timeline.find(at);
    }

    /**
     * A flush delivered every event of slices that ended before {@code until}: applies {@code doubts}
     * to the slices still unsettled, settles those, announces tasks whose figures became final, and
     * forgets settled slices that ended before {@code forgetBefore}.
     */
    void settle(Instant until, List<Doubts.Doubt> doubts, Instant forgetBefore) {
        settleLock.lock();
        try {
            if (!doubts.isEmpty()) {
                timelines.values().forEach(timeline -> timeline.forEachUnsettled(slice -> {
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
    private int settleUntil(Instant cutoff, boolean distrust) {
        int count = 0;
        Slice head;
        while ((head = closed.peek()) != null && head.end.isBefore(cutoff)) {
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

    /** Under settleLock. Each timeline a forgotten slice was on is pruned once (a pass over its slices). */
    private void prune(Instant cutoff) {
        Set<Long> threads = new HashSet<>();
        Slice first;
        while ((first = settled.peek()) != null && first.end.isBefore(cutoff)) {
            settled.poll();
            threads.add(first.threadId);
        }
        for (Long threadId : threads) {
            SliceTimeline timeline = timelines.get(threadId);
            if (timeline != null && timeline.prune(cutoff)) {
                timelines.remove(threadId, timeline);
            }
        }
    }
}
