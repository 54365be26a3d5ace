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
 * <p>A slot the history reuses: the entry a full history drops makes room for the next root's facts, so that a
 * history allocates nothing per finished root once it is full (a new entry was 128 bytes, a sixth of a submitted
 * task's allocation).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Plain values only, as a snapshot: never the task, its work, its result, nor its settings (whose fallback is
 * user code that may hold anything).</li>
 * <li>A slot is filled ({@link TaskFacts#fillFinishedRoot}) only while no other thread can reach it: a new one,
 * or one the history took out of its entries under its lock. Once in the entries it is read only under that
 * lock, and a reader that keeps it past the lock keeps a {@link #copy()} (the slot itself could be refilled
 * with another root's facts meanwhile).</li>
 * </ul>
 */
final class FinishedRoot implements Cloneable {

    long idValue;
    String name;
    TaskPriority priority;
    String group;
    String runtime;
    Map<String, String> tags;
    List<TaskId> dependencies;
    TaskStatus status;
    WallClockAnchor.Anchor anchor;
    long createdNanos;
    /** {@link TaskFigures#UNSET} if the body never started. */
    long startedNanos;
    long completedNanos;
    int attempts;
    TaskInfo.Failure failure;
    long queueWaitNanos;
    long runNanos;
    ResourceValue cpu;
    ResourceValue allocated;
    ResourceValue read;
    ResourceValue written;
    Map<String, Long> progress;
    boolean runaway;

    /** The id's value of the root whose facts these are. */
    long idValue() {
        return idValue;
    }

    /** A slot of its own with the same facts (a shallow copy: every fact is a value or immutable). */
    FinishedRoot copy() {
        try {
            return (FinishedRoot) clone();
        }
        catch (CloneNotSupportedException ex) {
            throw new AssertionError(ex); // Cloneable
        }
    }

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
