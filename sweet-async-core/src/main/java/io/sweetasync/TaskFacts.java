package io.sweetasync;

import io.sweetasync.internal.Names;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a task is: its identity and place in the tree, its settings, the time it was created, its published
 * progress, what only some tasks need ({@link Occasional}), and the snapshots read from it all
 * ({@link TaskInfo}, {@link TaskMetrics}, built by {@link TaskSnapshots}). What it has measured (attempts,
 * times, figures) is the layer above, {@link TaskFigures}; the layers that move a task extend that
 * ({@link TaskEnding}, {@link TaskChildren}, {@link TaskDeadline}, {@link TaskSubmission},
 * {@link TaskAttempts}, up to {@link TaskNode}): one object per task, in layers, each with one job.
 *
 * <p>Invariants: identity, settings and the creation time are final and set before the task is visible to
 * any other thread; the id object and the path are made on first use, a benign race (every thread's copy is
 * the same value). Progress and the {@link Occasional} state are created at most once (compare-and-set; a
 * losing racer's object is dropped unused), progress frozen once, as the task finishes. A snapshot reads the
 * status first: a terminal one is published after every fact the task ends with.
 */
abstract class TaskFacts<T> {

    private static final VarHandle OCCASIONAL = fieldHandle(MethodHandles.lookup(), "occasional", Occasional.class);
    private static final VarHandle PROGRESS = fieldHandle(MethodHandles.lookup(), "progress", TaskProgress.class);

    /** What the task was created with, shared with the tasks built alike (see {@link TaskSettings}). */
    final TaskSettings settings;
    /** The id's value; the id itself is made on first use (most children are never asked for theirs). */
    private final long idValue;
    /** Null until first asked for; a benign race (an immutable record: any thread's copy is the same id). */
    private TaskId id;
    private final long createdNanos;

    /** Built on first use (snapshots, messages): most tasks never need it. */
    private volatile String path;
    /** What only some tasks need; null until one of its fields is first set. */
    private volatile Occasional occasional;
    /** Published live values; null until the first one, so that most tasks carry none. */
    private volatile TaskProgress progress;

    TaskFacts(TaskSettings settings, long idValue, TaskId givenId) {
        this.settings = settings;
        this.idValue = givenId != null ? givenId.value() : idValue;
        this.id = givenId;
        this.createdNanos = clockNow();
    }

    /**
     * The handle of field {@code name}, of {@code type}, declared in the class {@code lookup} was made in:
     * each layer declares the handles of its own (private) fields through it, in its static initializer.
     */
    static VarHandle fieldHandle(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** This task as its one concrete class (every task is a {@link TaskNode}: the cast always holds). */
    @SuppressWarnings("unchecked")
    final TaskNode<T> self() {
        return (TaskNode<T>) this;
    }

    /** The task's status now (see {@link TaskEnding}). */
    public abstract TaskStatus status();

    /** Number of children registered so far. */
    abstract int childCount();

    /** Whether the task ended while its body still runs. */
    abstract boolean isRunaway();

    /** Whether the task has finished (its terminal status is decided, or being decided). */
    abstract boolean isFinished();

    // ---- identity -------------------------------------------------------------------------------

    /** The id's value, without making the id. */
    final long idValue() {
        return idValue;
    }

    /**
     * The id's hash; equality stays identity (two nodes of one durable id, a run and its rerun, are two tasks).
     * Not the identity hash: that is made on first use and stored in the object's header, a slow call the live
     * registry's add paid for every root.
     */
    @Override
    public final int hashCode() {
        return Long.hashCode(idValue);
    }

    public TaskId id() {
        TaskId known = id;
        if (known == null) {
            known = new TaskId(idValue);
            id = known;
        }
        return known;
    }

    public String name() {
        return settings.name;
    }

    TaskOrchestrator orchestrator() {
        return settings.orchestrator;
    }

    TaskNode<?> parentNode() {
        return settings.parent;
    }

    /** The root of this task's tree (itself for a root). */
    TaskNode<?> rootNode() {
        TaskNode<?> root = settings.root;
        return root != null ? root : self();
    }

    /**
     * Whether {@code ancestor} is this task or one of its ancestors: a walk up only as many levels as this
     * task is deeper, so a task that is not deeper answers at once.
     */
    final boolean isSelfOrDescendantOf(TaskNode<?> ancestor) {
        int levels = depth() - ancestor.depth();
        if (levels < 0) {
            return false;
        }
        TaskFacts<?> up = this;
        for (; levels > 0 && up != null; levels--) {
            up = up.parentNode();
        }
        return up == ancestor;
    }

    /** This task's distance from its root. */
    int depth() {
        return settings.depth;
    }

    /** The id of this task's root (its own for a root). */
    TaskId rootId() {
        return rootNode().id();
    }

    TaskPriority priority() {
        return settings.priority;
    }

    TaskRuntime runtimeRef() {
        return settings.runtime;
    }

    String label() {
        return id().label(settings.name);
    }

    /** Names and ids from the root (see {@link TaskSnapshots#pathOf}); built on first use, then kept. */
    String path() {
        String known = path;
        if (known == null && settings.depth == 0) {
            known = label(); // a root's path is its label: no walk, no joining
            path = known;
        }
        if (known == null) {
            known = TaskSnapshots.pathOf(this);
            path = known;
        }
        return known;
    }

    // ---- clock, failure -----------------------------------------------------------------------------

    /** The time now on the orchestrator's clock. */
    final long clockNow() {
        return settings.orchestrator.parts().clock().nanoTime();
    }

    /** When the task was created, on the orchestrator's clock. */
    final long createdNanos() {
        return createdNanos;
    }

    /** Why the task did not complete; called once, by the thread that finishes it. */
    void recordFailure(TaskInfo.Failure why) {
        occasional().failureInfo = why;
    }

    // ---- progress (see TaskProgress) ------------------------------------------------------------

    void progress(String key, LongSupplier value) {
        Objects.requireNonNull(key, "name");
        Objects.requireNonNull(value, "value");
        if (key.isBlank() || key.length() > 100 || key.chars().anyMatch(Character::isISOControl)) {
            // shown beside the task's name in snapshots, the endpoint and the dashboard, as a task name is
            throw new IllegalArgumentException("progress name must be 1 to 100 characters, not blank, without control "
                    + "characters, was '" + Names.printable(key) + "'");
        }
        TaskProgress mine = progress;
        if (mine == null) {
            PROGRESS.compareAndSet(this, null, new TaskProgress(self()));
            mine = progress;
        }
        mine.put(key, value);
    }

    /**
     * Keeps the progress values of now for good; called once, when the task finishes (a runaway's, whose
     * body still runs at its deadline, keeps the last values read: see {@link TaskProgress}).
     */
    void freezeProgress() {
        freezeProgress(isRunaway());
    }

    /**
     * As {@link #freezeProgress()}, for a task a deadline ends at once ({@link TaskDeadline}'s forced end):
     * the last values read, no supplier called, for one may wait for a lock a runaway body below holds.
     */
    void freezeProgressAsLastRead() {
        freezeProgress(true);
    }

    private void freezeProgress(boolean lastRead) {
        TaskProgress mine = progress;
        if (mine == null && PROGRESS.compareAndSet(this, null, TaskProgress.NONE)) {
            return; // nothing published: a value published from now on is ignored
        }
        progress.freeze(lastRead);
    }

    /** The progress values of now (none if nothing was published). */
    Map<String, Long> progressNow() {
        TaskProgress mine = progress;
        return mine == null ? Map.of() : mine.now();
    }

    /** This task's {@link Occasional} state, made on first use. */
    final Occasional occasional() {
        Occasional rare = occasional;
        if (rare == null) {
            OCCASIONAL.compareAndSet(this, null, new Occasional());
            rare = occasional;
        }
        return rare;
    }

    /** This task's {@link Occasional} state, null if none of it was ever set. */
    final Occasional occasionalOrNull() {
        return occasional;
    }

    // ---- snapshots ------------------------------------------------------------------------------

    public TaskInfo info() {
        // The status first: a terminal one is published after every fact the task ends with (its end time,
        // its failure), so they are all read whole; a live one shows no end and no failure, even if the
        // task is ending meanwhile (a QUEUED snapshot with an end time, a FAILED one without its failure).
        TaskStatus now = status();
        Occasional rare = now.isTerminal() ? occasional : null;
        return TaskSnapshots.snapshot(self(), now, rare == null ? null : rare.failureInfo);
    }

    public TaskMetrics metrics() {
        Occasional rare = occasional;
        Supplier<TaskMetrics> work = rare == null ? null : rare.workFigures;
        return work == null ? TaskSnapshots.metrics(self()) : work.get();
    }

    /**
     * From now on {@link #metrics()} answers {@code figures}: those of the work this task only follows, which ran
     * as a task elsewhere or as its child here ({@link ClusterPlacement}). Its snapshots ({@link #info()}, what
     * listeners, meters and the store see) keep its own, so that each piece of work is counted once.
     */
    final void followsWorkWith(Supplier<TaskMetrics> figures) {
        occasional().workFigures = figures;
    }

    /**
     * Fills {@code into}, this finished root's history entry, with the facts of the flat snapshot {@link #info()}
     * would take now, the snapshot itself built only if the history is read. Called by the thread that finished
     * it, childless.
     */
    final void fillFinishedRoot(FinishedRoot into) {
        TaskSnapshots.fillFinishedRoot(self(), into);
    }

    /** A snapshot with its subtree; see {@link TaskTrees#snapshot}. */
    TaskInfo tree(int childLimit) {
        return TaskTrees.snapshot(self(), childLimit);
    }

    /** A flat snapshot, with {@code failure} as the reason it did not complete (null if none). */
    TaskInfo snapshot(TaskInfo.Failure failure) {
        return TaskSnapshots.snapshot(self(), status(), failure);
    }

    /** A flat snapshot showing {@code status}: the terminal status a finishing task is about to publish. */
    TaskInfo snapshot(TaskStatus status, TaskInfo.Failure failure) {
        return TaskSnapshots.snapshot(self(), status, failure);
    }

    @Override
    public String toString() {
        return "SpawningTask[" + path() + " " + status() + "]";
    }
}
