package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One {@code sweet.async.task} observation per task: created with the creating thread's current
 * observation as parent, started with the first attempt, in scope during every attempt and the fallback (so
 * spans and logs inside see it), stopped when the task ends. A child task's parent is its parent task's
 * observation (or an observation inside it, current where the child is made), also when the child is
 * started from another thread than its parent's body ({@code TaskContext.child} from a
 * {@code CompletableFuture} stage): spans nest like the tree. A task whose observation an
 * {@code ObservationPredicate} turns off is left out of it: its children nest under the observation it would have
 * nested under.
 */
public class ObservationContextPropagator implements ContextPropagator {

    /** How far up from the current observation a child's parent task's observation is looked for. */
    private static final int MAX_NESTING = 64;

    private final Supplier<ObservationRegistry> registry;
    private final TaskObservationConvention convention;
    /** One for every task: it keeps the tag values seen, to bound them. */
    private final TaskObservationConvention defaultConvention = new DefaultTaskObservationConvention();
    /**
     * Each live task's observation, removed when the task ends: the parent of a child made outside its parent's
     * body; for a task whose observation is turned off, the observation that one would have nested under (none:
     * no entry) (package-private: a test checks it empties). Keyed by id, so one propagator per orchestrator (ids
     * of orchestrators without a store or cluster repeat).
     */
    final Map<TaskId, Observation> live = new ConcurrentHashMap<>();
    /** Whether a subclass overrides {@link #capture}: then {@link #captureLazily} calls it. */
    private final boolean captureOverridden = CaptureOverride.of(getClass(), ObservationContextPropagator.class);

    /**
     * @param registry   the registry, asked on each task (null or a no-op one: no observations)
     * @param convention the convention that names and tags every task's observation, or null: then, as Micrometer
     *                   orders conventions, a {@code GlobalObservationConvention} of the registry that supports
     *                   {@link TaskObservationContext}, else {@link DefaultTaskObservationConvention}
     */
    public ObservationContextPropagator(Supplier<ObservationRegistry> registry, TaskObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public Captured capture(TaskInfo task) {
        return observe(() -> task);
    }

    /**
     * The task's snapshot is made only when an observation is: not without a registry, or with a no-op one; unless
     * a subclass overrides {@link #capture}, which is then called with it (see {@link CaptureOverride}).
     */
    @Override
    public Captured captureLazily(Supplier<TaskInfo> lazily) {
        return captureOverridden ? capture(lazily.get()) : observe(lazily);
    }

    private Captured observe(Supplier<TaskInfo> lazily) {
        ObservationRegistry observations = registry.get();
        if (observations == null || observations.isNoop()) {
            return null;
        }
        TaskInfo task = lazily.get();
        TaskObservationContext context = new TaskObservationContext(task);
        Observation observation = TaskObservationDocumentation.TASK.observation(convention,
                defaultConvention, () -> context, observations);
        Observation current = observations.getCurrentObservation();
        Observation parent = task.parent().filter(id -> !within(current, id)).map(live::get).orElse(current);
        if (parent != null) {
            observation.parentObservation(parent);
        }
        // A task whose observation is turned off (a no-op: an ObservationPredicate) nests nothing: its children nest
        // where it would have, as Micrometer nests an observation made inside a disabled one (given the no-op as their
        // parent, their spans had none, each the root of a trace of its own)
        Observation nests = observation.isNoop() ? parent : observation;
        if (nests != null) {
            live.put(task.id(), nests);
        }
        return new TaskObservation(observations, observation, context,
                nests == null ? () -> { } : () -> live.remove(task.id(), nests));
    }

    /**
     * Whether {@code current} is the observation of the task {@code id} or one inside it (up to
     * {@value #MAX_NESTING} levels): the child is made in its parent's body, the usual case, decided without
     * {@link #live}.
     */
    private static boolean within(Observation current, TaskId id) {
        ObservationView view = current;
        for (int level = 0; view != null && level <= MAX_NESTING; level++) {
            if (view.getContextView() instanceof TaskObservationContext task && task.getTask().id().equals(id)) {
                return true;
            }
            view = view.getContextView().getParentObservation();
        }
        return false;
    }

    /**
     * One task's observation, started by the first attempt (or by the end, for a task that never ran) and
     * stopped once, when the task ends, always after its start has returned: a task can end (time out, be
     * cancelled) on another thread while its attempt's thread is inside {@code start()}, and stopped then,
     * the start that followed left a long task timer sample and a span that nothing would end. The thread
     * that finishes the start does the stop asked for meanwhile; no thread waits for another.
     *
     * <p>The context shows the task as created until the stop, which alone sees the final task: a start
     * never sees a terminal status, even that of a task that never ran or one ended while it starts, so the
     * {@code sweet.async.task.active} long task timer it opens has no {@code outcome} tag (else a second series
     * beside the running tasks' one, for each way of never running).
     */
    private static final class TaskObservation implements Captured {

        private static final int NEW = 0;
        private static final int STARTING = 1;
        private static final int STARTED = 2;
        /** The task ended while its observation was starting: the starting thread stops it. */
        private static final int STOP_PENDING = 3;
        private static final int STOPPED = 4;

        private final ObservationRegistry registry;
        private final Observation observation;
        private final TaskObservationContext context;
        /** Forgets the observation as a parent for children made from now on; run once, when the task ends. */
        private final Runnable forget;
        private final AtomicInteger state = new AtomicInteger(NEW);
        /** Written before the state change that publishes them. */
        private volatile Throwable error;
        private volatile TaskInfo finalTask;

        TaskObservation(ObservationRegistry registry, Observation observation, TaskObservationContext context,
                Runnable forget) {
            this.registry = registry;
            this.observation = observation;
            this.context = context;
            this.forget = forget;
        }

        @Override
        public Scope restore() {
            if (state.compareAndSet(NEW, STARTING)) {
                try {
                    observation.start();
                }
                finally {
                    if (!state.compareAndSet(STARTING, STARTED)) {
                        state.set(STOPPED);
                        stop(); // the task ended meanwhile; the body still runs inside its (stopped) observation
                    }
                }
            }
            return openScope();
        }

        /**
         * The observation's scope, which gives the thread back the scope it had also when a handler throws
         * while it opens or closes: Micrometer makes the scope current before it tells the handlers and puts
         * the previous one back only after, so a failing handler left the task's observation current on the
         * runtime's thread for good (the parent of whatever that thread observed next).
         */
        private Scope openScope() {
            return CurrentObservationScope.guarded(registry, () -> {
                Observation.Scope scope = observation.openScope();
                return scope::close;
            });
        }

        @Override
        public void finished(TaskInfo finalTask, Throwable error) {
            forget.run();
            this.finalTask = finalTask;
            this.error = error;
            while (true) {
                int now = state.get();
                if (now == NEW && state.compareAndSet(NEW, STOPPED)) {
                    try {
                        observation.start(); // never ran (cancelled, rejected, timed out while queued): still recorded
                    }
                    finally {
                        stop(); // also after a handler failed on start: those started before it are stopped
                    }
                    return;
                }
                if (now == STARTING && state.compareAndSet(STARTING, STOP_PENDING)) {
                    return;
                }
                if (now == STARTED && state.compareAndSet(STARTED, STOPPED)) {
                    stop();
                    return;
                }
                if (now == STOP_PENDING || now == STOPPED) {
                    return;
                }
            }
        }

        private void stop() {
            context.setTask(finalTask);
            Throwable ended = error;
            try {
                if (ended != null) {
                    observation.error(ended);   // the meter's error tag: its simple class name; spans record it
                }
            }
            finally {
                observation.stop(); // also after a handler failed on the error
            }
        }
    }
}
