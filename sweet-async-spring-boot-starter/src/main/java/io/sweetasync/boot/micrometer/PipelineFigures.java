package io.sweetasync.boot.micrometer;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The figures of the pipelines of each {@code name} tag, for the {@code sweet.async.stream.*} meters: the
 * events buffered now, and the events emitted and received and the errors counted so far, of running
 * pipelines as they go (read from their progress) and of ended ones up to their end. One walk of the live
 * tasks, at most {@link #FRESH_NANOS} old, answers every name's meters of a scrape (a walk per meter made a
 * scrape cost meters x live tasks).
 *
 * <h2>Invariants</h2>
 * All state is guarded by {@code this}. A pipeline adds to its name's totals what it counted since it was
 * last read ({@code seen}), so the totals never go down and never count an event twice, however walks and
 * ends interleave: a pipeline's last read stays in {@code seen} until its end ({@link #ended}, from the
 * listener's {@code onFinished}) adds the rest and forgets it. A walk counts only pipelines it finds not
 * terminal, and the engine makes a task terminal, and takes it out of the live tasks, before it tells the
 * listeners: so a walk after an end never finds that pipeline still running, and one before it is
 * counted by the end as read.
 */
final class PipelineFigures {

    /** The counted figures, by their index in the totals. */
    static final List<String> COUNTED = List.of("emitted", "received", "errors");

    /** How long one walk answers the meters: a scrape reads them all well within it. */
    private static final long FRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Supplier<Collection<TaskInfo>> liveTasks;
    /** The name tag of a pipeline's name, not admitting new names (they are admitted when a pipeline starts). */
    private final Function<String, String> tagOf;

    /** Per name tag: the counted figures so far, in {@link #COUNTED} order. */
    private final Map<String, long[]> totals = new HashMap<>();
    /** Per pipeline still counted from its progress: its figures when last read. */
    private final Map<TaskId, long[]> seen = new HashMap<>();
    private Map<String, Long> buffered = Map.of();
    private long walkedAt;
    private boolean walked;

    PipelineFigures(Supplier<Collection<TaskInfo>> liveTasks, Function<String, String> tagOf) {
        this.liveTasks = liveTasks;
        this.tagOf = tagOf;
    }

    /** Events waiting in the buffers of the running pipelines tagged {@code name}. */
    synchronized long buffered(String name) {
        refresh();
        return buffered.getOrDefault(name, 0L);
    }

    /** The figure {@code COUNTED.get(figure)} of the pipelines tagged {@code name}, so far. */
    synchronized long counted(String name, int figure) {
        refresh();
        long[] total = totals.get(name);
        return total == null ? 0 : total[figure];
    }

    /** A pipeline tagged {@code name} ended ({@code pipeline} has its final progress): counts the rest of it. */
    synchronized void ended(TaskInfo pipeline, String name) {
        add(name, pipeline.id(), pipeline.progress());
        seen.remove(pipeline.id());
    }

    /** Reads the running pipelines again unless the last walk is fresh. */
    private void refresh() {
        long now = System.nanoTime();
        if (walked && now - walkedAt <= FRESH_NANOS) {
            return;
        }
        Map<String, Long> walkedBuffers = new HashMap<>();
        for (TaskInfo task : liveTasks.get()) {
            if (SweetAsyncMetrics.isPipeline(task)) {
                String name = tagOf.apply(task.name());
                walkedBuffers.merge(name, task.progress().getOrDefault("buffered", 0L), Long::sum);
                if (!task.status().isTerminal()) {
                    add(name, task.id(), task.progress());
                }
            }
        }
        buffered = walkedBuffers;
        walkedAt = now;
        walked = true;
    }

    /** Adds to {@code name}'s totals what pipeline {@code id} counted since it was last read. */
    private void add(String name, TaskId id, Map<String, Long> progress) {
        long[] last = seen.computeIfAbsent(id, key -> new long[COUNTED.size()]);
        long[] total = totals.computeIfAbsent(name, key -> new long[COUNTED.size()]);
        for (int i = 0; i < COUNTED.size(); i++) {
            long value = progress.getOrDefault(COUNTED.get(i), 0L);
            if (value > last[i]) {
                total[i] += value - last[i];
                last[i] = value;
            }
        }
    }
}
