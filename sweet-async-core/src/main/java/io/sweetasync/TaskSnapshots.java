package io.sweetasync;

import io.sweetasync.TaskFigures.Resource;
import java.time.Duration;
import java.util.List;

/**
 * A task's facts read into values: its path text, its figures ({@link TaskMetrics}), its flat snapshot
 * ({@link TaskInfo}) and a finished root's history entry ({@link FinishedRoot}). Static functions of the
 * task they are handed, so that the task's object carries no field and makes no allocation for them
 * (see {@link TaskFacts}: one object per task, in layers).
 *
 * <p>Invariants: stateless; each function only reads the task (never writes it), on the calling thread,
 * any thread at any time: a view of a running task is best-effort (its times and figures are written by
 * the step that owns them, see {@link TaskFigures}), exact once the task is terminal (its status is
 * published after the last write), but for a runaway's resource figures, which stay {@code PENDING} until
 * its body returns. Nothing walks more than {@value #PATH_TAIL} levels up or recurses.
 */
final class TaskSnapshots {

    /** Path segments shown at the end of a deep task's path (the root is always shown too). */
    private static final int PATH_TAIL = 8;
    /** The figures of a task that has neither waited nor run and never will (or is not tracked): unavailable. */
    private static final TaskMetrics NEVER_STARTED = new TaskMetrics(Duration.ZERO, Duration.ZERO,
            ResourceValue.unavailable(), ResourceValue.unavailable(), ResourceValue.unavailable(),
            ResourceValue.unavailable());
    /** The figures of a live task that has neither waited nor run yet: pending, nothing known so far. */
    private static final TaskMetrics NOT_STARTED_YET = new TaskMetrics(Duration.ZERO, Duration.ZERO,
            ResourceValue.pending(0), ResourceValue.pending(0), ResourceValue.pending(0), ResourceValue.pending(0));

    private TaskSnapshots() {
    }

    /**
     * Names and ids from the root, for a task below its root (see {@link TaskFacts#path()}). A deep task's
     * path shows the root, the number of levels left out and the last {@value #PATH_TAIL} levels
     * ({@code root#1/…(991 more)/…/leaf#1000}), so a path costs the same at any depth and a deep tree's
     * snapshots stay linear in its size.
     */
    static String pathOf(TaskFacts<?> task) {
        int depth = task.settings.depth;
        int shown = Math.min(depth, PATH_TAIL);
        String[] tail = new String[shown + 1];
        TaskFacts<?> node = task;
        for (int i = shown; i >= 0 && node != null; i--) {
            tail[i] = node.label();
            node = node.parentNode();
        }
        StringBuilder text = new StringBuilder();
        if (depth > PATH_TAIL) {
            text.append(task.rootNode().label()).append('/');
            if (depth > PATH_TAIL + 1) {
                text.append("\u2026(").append(depth - PATH_TAIL - 1).append(" more)/");
            }
        }
        text.append(String.join("/", tail));
        return text.toString();
    }

    /** See {@link TaskFacts#metrics()}. */
    static TaskMetrics metrics(TaskFigures<?> task) {
        if (task.untimed()) { // nothing measured yet (a snapshot at creation, for context propagators)
            return task.settings.orchestrator.resourceTracking() == ResourceTracking.OFF || task.isFinished()
                    ? NEVER_STARTED : NOT_STARTED_YET;
        }
        // Read in this order: finished, then whether an attempt runs, then the sums. Read last, "finished" could
        // come after a retry's last attempt ended and the task finished, while the sums read before it were the
        // earlier attempts' only: those would have been given as the final, MEASURED figure.
        boolean finished = task.isFinished();
        long now = task.settings.orchestrator.parts().clock().nanoTime();
        boolean running = task.attemptStartNanos != TaskFigures.UNSET;
        return new TaskMetrics(Duration.ofNanos(task.queueWaitNanosAt(now)), Duration.ofNanos(task.runNanosAt(now)),
                figure(task, task.measuredCpu, Resource.CPU, true, running, finished),
                figure(task, task.measuredAllocated, Resource.ALLOCATED, true, running, finished),
                figure(task, -1, Resource.READ, false, running, finished),
                figure(task, -1, Resource.WRITTEN, false, running, finished));
    }

    /**
     * A figure of the task. It is final ({@code MEASURED}, {@code SAMPLED}) only once no attempt of the task can
     * add to it: the task is finished and no runaway attempt of it still runs. Until then, a figure that will be
     * obtained is {@code PENDING} with what is known so far: a live task between a retry's attempts, or during one,
     * is not measured yet, and its sum so far is no measurement of it. While every attempt so far was measured, that
     * is the measured sum over the attempts that ended alone, not the sampled amount even if higher: a sampled amount
     * is made of whole grains (a CPU sample stands for 10 ms of its thread's CPU, a TLAB refill for the whole TLAB),
     * an estimate that overshoots the counters' exact figure of the same work, and a pending amount is a lower bound
     * (a task that had used 3 ms of CPU read 10 ms, more than its run time, then fell to its measured 3 ms). A
     * runaway (finished, its body still running) is announced once its body returns
     * ({@link FinishedTasks#runawayReturned}). A figure that cannot be obtained (tracking off, an
     * attempt ran where its counters cannot be read and there is no sampling) is {@code UNAVAILABLE} at once; a
     * live task that has not started an attempt yet reads {@code PENDING} with nothing known so far (its runtime
     * decides, at the attempt's start, whether it can be measured).
     */
    private static ResourceValue figure(TaskFigures<?> task, long measured, Resource resource, boolean measurable,
            boolean attemptRunning, boolean finished) {
        ResourceTracking tracking = task.settings.orchestrator.resourceTracking();
        if (tracking == ResourceTracking.OFF) {
            return ResourceValue.unavailable();
        }
        if (task.attempts == 0) { // queued: its first attempt may still run, unless the task ended before it
            return finished ? ResourceValue.unavailable() : ResourceValue.pending(0);
        }
        boolean mayGrow = attemptRunning || !finished;
        if (measurable && measured >= 0 && !mayGrow) {
            return ResourceValue.measured(measured);
        }
        if (measurable && measured >= -1 && mayGrow) { // every attempt so far measured: their exact sum
            return ResourceValue.pending(Math.max(0, measured));
        }
        SampledFigures figures = tracking == ResourceTracking.MEASURE_AND_SAMPLE ? task.sampledOrNull() : null;
        // A live task's sampled figure, final for the attempts so far, may still grow with the next one.
        return figures == null ? ResourceValue.unavailable()
                : mayGrow ? figures.valueWhileLive(resource) : figures.value(resource);
    }

    /** Fills {@code into} with {@code task}'s facts; see {@link TaskFacts#fillFinishedRoot}. */
    static void fillFinishedRoot(TaskFigures<?> task, FinishedRoot into) {
        TaskSettings set = task.settings;
        boolean finished = task.isFinished(); // first: see metrics
        boolean running = task.attemptStartNanos != TaskFigures.UNSET;
        // a finished task waits for nothing, and runs only as a runaway: the clock is read only then
        long now = task.waiting || running ? task.clockNow() : task.completedNanos;
        Occasional rare = task.occasionalOrNull();
        into.idValue = task.idValue();
        into.name = set.name;
        into.priority = set.priority;
        into.group = set.group;
        into.runtime = set.runtime.name();
        into.tags = set.tags;
        into.dependencies = set.dependencies;
        into.status = task.status();
        into.anchor = set.orchestrator.parts().anchorAt(task.completedNanos);
        into.createdNanos = task.createdNanos();
        into.startedNanos = task.startedNanos;
        into.completedNanos = task.completedNanos;
        into.attempts = task.attempts;
        into.failure = rare == null ? null : rare.failureInfo;
        into.queueWaitNanos = task.queueWaitNanosAt(now);
        into.runNanos = task.runNanosAt(now);
        into.cpu = figure(task, task.measuredCpu, Resource.CPU, true, running, finished);
        into.allocated = figure(task, task.measuredAllocated, Resource.ALLOCATED, true, running, finished);
        into.read = figure(task, -1, Resource.READ, false, running, finished);
        into.written = figure(task, -1, Resource.WRITTEN, false, running, finished);
        into.progress = task.progressNow();
        into.runaway = task.isRunaway();
    }

    /**
     * See {@link TaskFacts#snapshot(TaskInfo.Failure)}. {@code status} is read (or decided) before any other
     * fact: a live status shows no end time, though the task may be ending meanwhile.
     */
    static TaskInfo snapshot(TaskFigures<?> task, TaskStatus status, TaskInfo.Failure failure) {
        TaskSettings set = task.settings;
        long completed = status.isTerminal() ? task.completedNanos : TaskFigures.UNSET;
        OrchestratorParts parts = set.orchestrator.parts();
        // Read before the figures: a finished task's snapshot that says runaway may show final figures (its
        // body returned meanwhile); one that does not shows no runaway's pending figures (its attempt ended).
        boolean runaway = task.isRunaway();
        return new TaskInfo(task.id(), set.parent == null ? null : set.parent.id(), set.name, task.path(),
                status, set.priority, set.group, set.runtime.name(), set.tags,
                parts.instantAt(task.createdNanos()),
                task.startedNanos == TaskFigures.UNSET ? null : parts.instantAt(task.startedNanos),
                completed == TaskFigures.UNSET ? null : parts.instantAt(completed),
                task.attempts, set.dependencies, failure, metrics(task), task.progressNow(), task.childCount(),
                runaway, List.of());
    }
}
