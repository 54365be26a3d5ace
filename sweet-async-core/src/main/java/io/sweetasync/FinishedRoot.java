package io.sweetasync;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A finished root without children as the history keeps it ({@link TaskHistory}): the facts its flat
 * snapshot shows, that snapshot ({@link #info()}) built from them only when the history is read. Most
 * finished roots are never looked at again, and building each one's {@link TaskInfo} as it finished (the
 * record, its id, its path, three instants, its figures: about 310 bytes) was a third of what a root
 * allocated. The snapshot built later is the one {@link TaskFacts#snapshot} would have built when the task
 * finished: its instants come from the anchor they were derived from then, its figures were final then.
 *
 * <p>Immutable; plain values only, as a snapshot: never the task, its work, its result, nor its settings
 * (whose fallback is user code that may hold anything).
 *
 * @param startedNanos {@link TaskFigures#UNSET} if the body never started
 */
record FinishedRoot(long idValue, String name, TaskPriority priority, String group, String runtime,
        Map<String, String> tags, List<TaskId> dependencies, TaskStatus status, WallClockAnchor.Anchor anchor,
        long createdNanos, long startedNanos, long completedNanos, int attempts, TaskInfo.Failure failure,
        long queueWaitNanos, long runNanos, ResourceValue cpu, ResourceValue allocated, ResourceValue read,
        ResourceValue written, Map<String, Long> progress, boolean runaway) {

    /** The root's flat snapshot, as it was when it finished. */
    TaskInfo info() {
        TaskId id = new TaskId(idValue);
        Instant started = startedNanos == TaskFigures.UNSET ? null : anchor.at(startedNanos);
        TaskMetrics metrics = new TaskMetrics(Duration.ofNanos(queueWaitNanos), Duration.ofNanos(runNanos), cpu,
                allocated, read, written);
        return new TaskInfo(id, null, name, id.label(name), status, priority, group, runtime, tags,
                anchor.at(createdNanos), started, anchor.at(completedNanos), attempts, dependencies, failure, metrics,
                progress, 0, runaway, List.of());
    }
}
