package io.sweetasync;

import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.ContextPropagator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Makes tasks from what their builders were told ({@link TaskSpec}): resolves each setting (the spec's,
 * else the parent's for runtime and priority, else the orchestrator's default), gives the id, registers
 * the task (live registry, parent, store, listeners) and wires what it waits for ({@code after},
 * {@code chain}).
 *
 * <p>Invariants: a task is counted live before it can finish (so finishing always uncounts it) and
 * registered with its parent before it can run, and finishes only once fully registered (it holds a share
 * of its own count until then: a parent's stop can reach it through the parent's children list earlier);
 * a task whose parent is stopping is cancelled once fully registered; a root created while the orchestrator shuts down is rejected; ids grow with creation order
 * (a child's id is greater than its ancestors', which lookups by id rely on). Names derived from the work's
 * class are cached per class.
 */
final class TaskFactory {

    private static final ClassValue<String> DERIVED_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return deriveName(type);
        }
    };

    private final TaskOrchestrator orchestrator;
    private final TaskRuntime defaultRuntime;
    private final Duration defaultTimeout;
    private final RetryPolicy defaultRetry;
    /** The incarnation in every id: 0 without a store or a cluster. */
    private final long incarnation;
    private final AtomicLong ids = new AtomicLong();
    private final LiveTasks live;
    private final TaskListeners listeners;
    private final List<ContextPropagator> propagators;
    /** Null without a store. */
    private final StoreSync storeSync;
    /**
     * The settings of the last root task made, reused by the next root made from the same spec with the same
     * derived name (a builder kept and run again, as the starter's aspect does per method; {@code to(type)}'s
     * empty spec). A benign race: settings are immutable, a miss only makes new ones.
     */
    private volatile TaskSettings lastRootSettings;

    TaskFactory(TaskOrchestrator orchestrator, TaskRuntime defaultRuntime, Duration defaultTimeout,
            RetryPolicy defaultRetry, long incarnation, LiveTasks live, TaskListeners listeners,
            List<ContextPropagator> propagators, StoreSync storeSync) {
        this.orchestrator = orchestrator;
        this.defaultRuntime = defaultRuntime;
        this.defaultTimeout = defaultTimeout;
        this.defaultRetry = defaultRetry;
        this.incarnation = incarnation;
        this.live = live;
        this.listeners = listeners;
        this.propagators = propagators;
        this.storeSync = storeSync;
    }

    /** The retry policy of tasks that set none. */
    RetryPolicy defaultRetry() {
        return defaultRetry;
    }

    /** Creates a task and submits it, at once or once everything in its spec's {@code after} has completed. */
    <T> SpawningTask<T> spawn(TaskSpec<T> spec, Callable<? extends T> work) {
        return spawn(spec, work, null);
    }

    /** As {@link #spawn(TaskSpec, Callable)}, for a handle that follows {@code followed} (null for none): set before its submission. */
    <T> SpawningTask<T> spawn(TaskSpec<T> spec, Callable<? extends T> work, FollowedWork followed) {
        List<TaskNode<?>> after = spec.after();
        TaskNode<T> node = create(spec, work, DERIVED_NAMES.get(work.getClass()), after, null, 0, false, false,
                followed, followed != null);
        if (after.isEmpty()) {
            if (!listeners.wants(TaskListeners.CREATED)) {
                node.submitAsCreated(); // nothing but bookkeeping ran since its creation
            }
            else {
                node.submit();
            }
        }
        else if (!node.isFinished()) {
            // (One ended as it was made, rejected or its parent stopping, waits for nothing: neither a deadline, a
            // schedule and a cancel on the clock, nor a registration with each dependency, made and undone under its
            // monitor, which callers still submitting during a shutdown, all after one live task, queued on.)
            if (node.settings.timeout != null) {
                node.armDeadline(); // the whole task's: its wait for the dependencies counts
            }
            AtomicInteger waiting = new AtomicInteger(after.size());
            // Read before the dependents are registered: if one has not ended, the last to end may submit the
            // task from inside its end (see TaskSubmission#submitAfterItsDependencies).
            boolean fromAnEnd = anyUnended(after);
            for (TaskNode<?> dependency : after) {
                dependency.whenTerminalFor(node, () -> {
                    if (!(dependency.resultNow0() instanceof TaskResult.Ok)) {
                        node.stop(Stop.passedDownFrom(dependency, "its dependency " + dependency.label()
                                + " " + describeEnd(dependency.status())));
                    }
                    else if (waiting.decrementAndGet() == 0) {
                        node.submitAfterItsDependencies(fromAnEnd);
                    }
                });
            }
        }
        return node;
    }

    /** Whether one of {@code tasks} has not ended yet (indexed: no iterator or stream per task made). */
    private static boolean anyUnended(List<TaskNode<?>> tasks) {
        for (int i = 0; i < tasks.size(); i++) {
            if (!tasks.get(i).isTerminal()) {
                return true;
            }
        }
        return false;
    }

    /** A task running {@code next} on {@code upstream}'s value; it fails as {@code upstream} did if that failed. */
    <T, U> SpawningTask<U> chain(TaskNode<T> upstream, Function<? super T, ? extends U> next) {
        Objects.requireNonNull(next, "next");
        TaskSpec<U> spec = TaskSpec.<U>empty().withPriority(upstream.priority()).withRuntime(upstream.runtimeRef().name());
        TaskNode<U> node = create(spec, () -> next.apply(upstream.valueNow()), DERIVED_NAMES.get(next.getClass()),
                List.of(upstream), null, 0, false, false, null, false);
        if (node.isFinished()) {
            return node; // ended as it was made (rejected, its parent stopping): waits for nothing, as in spawn
        }
        boolean fromAnEnd = !upstream.isTerminal(); // read before: see TaskSubmission#submitAfterItsDependencies
        upstream.whenTerminalFor(node, () -> {
            if (upstream.resultNow0() instanceof TaskResult.Err<T>(AsyncTaskException error)) {
                node.stop(new Stop(StopKind.PASS_THROUGH, error.getMessage(), upstream, error));
            }
            else {
                node.submitAfterItsDependencies(fromAnEnd);
            }
        });
        return node;
    }


    /**
     * Creates, counts and registers a task, submitted by the caller; a durable one ({@code givenId} when
     * it is re-run) is tracked by the store once its start gate lets it start.
     */
    <T> TaskNode<T> create(TaskSpec<T> spec, Callable<? extends T> work, String derivedName, TaskId givenId,
            int priorAttempts, boolean rerun, boolean durable) {
        return create(spec, work, derivedName, List.of(), givenId, priorAttempts, rerun, durable, null, false);
    }

    /**
     * A placed durable task's mirror: created, tracked and registered as a durable task, but no load of this member
     * (it only follows the run placed elsewhere), as an {@code anywhere()} handle is not.
     */
    <T> TaskNode<T> createMirror(TaskSpec<T> spec, Callable<? extends T> work) {
        return create(spec, work, "durable", List.of(), null, 0, false, true, null, true);
    }

    /** As above, for a task that starts only once {@code waitsFor} (its {@code after} or {@code chain} upstream) ended. */
    private <T> TaskNode<T> create(TaskSpec<T> spec, Callable<? extends T> work, String derivedName,
            List<TaskNode<?>> waitsFor, TaskId givenId, int priorAttempts, boolean rerun, boolean durable,
            FollowedWork followed, boolean followsWork) {
        TaskNode<?> parent = spec.parent();
        if (parent == null && !spec.detached()) {
            TaskNode<?> current = Carrier.currentTask();
            parent = current != null && current.orchestrator() == orchestrator ? current : null;
        }
        refuseWaitingForAnAncestor(parent, waitsFor, spec.name());
        long idValue = givenId != null ? 0 : TaskId.valueOf(incarnation, ids.incrementAndGet());
        TaskNode<T> node = new TaskNode<>(settings(spec, derivedName, parent), idValue, givenId, work);
        if (durable) {
            node.markDurable(priorAttempts, rerun);
        }
        if (followed != null) {
            node.occasional().followedWork = followed;
        }
        if (followsWork) {
            node.occasional().followsWork = true; // before it can finish: LiveTasks.finished reads it
        }
        // Registered before it can finish, so that finishing always removes it. A root made once shutdown began
        // is only counted: it is rejected below, and callers still submitting (a loop retrying on the rejection)
        // would keep one in the registry whenever shutdown's drain looked. One made as shutdown begins is
        // registered, then rejected below: the flag is read again after the registration.
        live.added(node, parent != null || orchestrator.isAccepting(), followsWork);
        boolean parentStopping = false;
        if (parent != null) {
            try {
                parentStopping = parent.addChild(node);
            }
            catch (IllegalStateException ex) {
                live.addFailed(followsWork);
                throw ex;
            }
        }
        node.capture(propagators);
        if (storeSync != null && !durable) {
            storeSync.track(node); // a durable task is tracked once its start gate lets it start
        }
        if (listeners.wants(TaskListeners.CREATED)) {
            // Marked as the task's end is: it is submitted only once the listeners return, so a listener's
            // shutdown(grace) does not wait for it (see TaskEnding.runWhileEnding).
            node.runWhileEnding("an onCreated listener",
                    () -> listeners.notify(node, TaskListeners.CREATED, TaskListener::onCreated));
        }
        if (parentStopping) {
            node.stop(Stop.passedDownFrom(parent, parent.stopReasonForChildren()));
        }
        else if (parent == null && !orchestrator.isAccepting()) {
            node.rejectAsMade(RejectionReason.SHUTDOWN, "the orchestrator is shutting down");
        }
        node.registered(); // only now can it finish: a parent's stop may have ended its body meanwhile
        return node;
    }

    /**
     * The settings of a task made from {@code spec} under {@code parent}: those of the parent's previous child
     * (of the previous root, for a root) if it was made from the same spec with the same derived name (a
     * fan-out shares one object, as do the calls of one annotated method), else new.
     */
    private TaskSettings settings(TaskSpec<?> spec, String derivedName, TaskNode<?> parent) {
        TaskSettings settings;
        if (parent != null) {
            settings = parent.lastChildSettings(spec, derivedName);
        }
        else {
            TaskSettings last = lastRootSettings;
            settings = last != null && last.resolvedFrom(spec, derivedName) ? last : null;
        }
        if (settings == null) {
            TaskRuntime runtime = spec.runtime() != null ? orchestrator.parts().runtime(spec.runtime())
                    : parent != null ? parent.runtimeRef() : defaultRuntime;
            TaskPriority priority = spec.priority() != null ? spec.priority()
                    : parent != null ? parent.priority() : TaskPriority.NORMAL;
            settings = new TaskSettings(spec, derivedName, orchestrator, parent, priority, runtime,
                    spec.group() == null ? null : orchestrator.limiter(spec.group()),
                    spec.timeout() != null ? spec.timeout() : defaultTimeout,
                    spec.retry() != null ? spec.retry() : defaultRetry);
            if (parent != null) {
                parent.rememberChildSettings(settings);
            }
            else {
                lastRootSettings = settings;
            }
        }
        return settings;
    }

    /**
     * A parent is terminal only after its children: a task placed under {@code parent} that would start only
     * after {@code parent} itself or one of its ancestors ended would wait for a task that waits for it, for
     * ever. So would one that starts only after a task that cannot end before {@code parent} does (one that
     * starts only after {@code parent} or an ancestor ended, or a parent of such a task, and so on:
     * {@link TaskNode#endingOnlyAfter}). Refused here, before anything is registered: a walk up the tree, then
     * along the dependents met, only for live dependencies outside {@code parent}'s subtree.
     */
    private static void refuseWaitingForAnAncestor(TaskNode<?> parent, List<TaskNode<?>> waitsFor, String name) {
        if (parent == null || waitsFor.isEmpty()) {
            return;
        }
        Set<TaskNode<?>> endingOnlyAfterParent = null;
        for (TaskNode<?> dependency : waitsFor) {
            if (dependency.isTerminal()) {
                continue;
            }
            if (parent.isSelfOrDescendantOf(dependency)) {
                throw new IllegalArgumentException("task " + (name == null ? "" : name + " ")
                        + "cannot wait for " + dependency.label() + ": it would be a child of " + parent.label()
                        + (dependency == parent ? "" : ", a descendant of " + dependency.label())
                        + ", which waits for its children, so it would never start; start it detached()"
                        + " (for chain(): to(...).detached().after(task).run(...)), or outside that body");
            }
            if (dependency.isSelfOrDescendantOf(parent)) {
                continue; // a sibling, the usual case: it never waits for parent (it would have been refused)
            }
            if (endingOnlyAfterParent == null) {
                // No ancestor has a dependent: the set is parent and its ancestors, checked just above.
                endingOnlyAfterParent = selfOrAncestorHasDependents(parent) ? TaskNode.endingOnlyAfter(parent) : Set.of();
            }
            if (endingOnlyAfterParent.contains(dependency)) {
                throw new IllegalArgumentException("task " + (name == null ? "" : name + " ")
                        + "cannot wait for " + dependency.label() + ": it would be a child of " + parent.label()
                        + ", which waits for its children, and " + dependency.label() + " cannot end before "
                        + parent.label() + " does (it starts only after " + parent.label() + " or an ancestor ended,"
                        + " or waits for a task that does), so it would never start; start it detached()"
                        + " (for chain(): to(...).detached().after(task).run(...)), or outside that body");
            }
        }
    }

    /** Whether a live task waits for {@code task} or one of its ancestors: a walk up, no allocation. */
    private static boolean selfOrAncestorHasDependents(TaskNode<?> task) {
        for (TaskNode<?> up = task; up != null; up = up.parentNode()) {
            if (up.outcome.hasDependents()) {
                return true;
            }
        }
        return false;
    }

    private static String describeEnd(TaskStatus status) {
        return switch (status) {
            case CANCELLED -> "was cancelled";
            case TIMED_OUT -> "timed out";
            default -> "failed";
        };
    }

    /** The simple name of the class that declares a lambda, or of the class itself; "task" if none. */
    static String deriveName(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            name = name.substring(0, lambda);
        }
        name = name.substring(name.lastIndexOf('.') + 1);
        int anonymous = name.indexOf('$');
        while (anonymous >= 0 && anonymous + 1 < name.length() && Character.isDigit(name.charAt(anonymous + 1))) {
            name = name.substring(0, anonymous);
            anonymous = name.indexOf('$');
        }
        name = name.replace('$', '.');
        return name.isEmpty() ? "task" : name;
    }
}
