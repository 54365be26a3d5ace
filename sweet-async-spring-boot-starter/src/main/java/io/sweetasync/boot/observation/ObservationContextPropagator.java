package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One {@code sweet.async.task} observation per task: created with the creating thread's current
 * observation as parent (for a child task, its parent task's), started with the first attempt, in scope
 * during every attempt and the fallback (so spans and logs inside see it), stopped when the task ends.
 */
public class ObservationContextPropagator implements ContextPropagator {

    private final Supplier<ObservationRegistry> registry;
    private final TaskObservationConvention convention;
    /** One for every task: it keeps the tag values seen, to bound them. */
    private final TaskObservationConvention defaultConvention = new DefaultTaskObservationConvention();

    public ObservationContextPropagator(Supplier<ObservationRegistry> registry, TaskObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public Captured capture(TaskInfo task) {
        ObservationRegistry observations = registry.get();
        if (observations == null || observations.isNoop()) {
            return null;
        }
        TaskObservationContext context = new TaskObservationContext(task);
        Observation observation = TaskObservationDocumentation.TASK.observation(convention,
                defaultConvention, () -> context, observations);
        Observation parent = observations.getCurrentObservation();
        if (parent != null) {
            observation.parentObservation(parent);
        }
        return new TaskObservation(observation, context);
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

        private final Observation observation;
        private final TaskObservationContext context;
        private final AtomicInteger state = new AtomicInteger(NEW);
        /** Written before the state change that publishes them. */
        private volatile Throwable error;
        private volatile TaskInfo finalTask;

        TaskObservation(Observation observation, TaskObservationContext context) {
            this.observation = observation;
            this.context = context;
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
            Observation.Scope scope = observation.openScope();
            return scope::close;
        }

        @Override
        public void finished(TaskInfo finalTask, Throwable error) {
            this.finalTask = finalTask;
            this.error = error;
            while (true) {
                int now = state.get();
                if (now == NEW && state.compareAndSet(NEW, STOPPED)) {
                    observation.start(); // never ran (cancelled, rejected, timed out while queued): still recorded
                    stop();
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
            if (ended != null) {
                observation.error(ended);   // the meter's error tag: its simple class name; spans record it
            }
            observation.stop();
        }
    }
}
