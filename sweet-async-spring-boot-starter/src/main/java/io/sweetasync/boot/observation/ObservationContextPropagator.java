package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;
import java.util.concurrent.atomic.AtomicBoolean;
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
        AtomicBoolean started = new AtomicBoolean();
        return new Captured() {
            @Override
            public Scope restore() {
                if (started.compareAndSet(false, true)) {
                    observation.start();
                }
                Observation.Scope scope = observation.openScope();
                return scope::close;
            }

            @Override
            public void finished(TaskInfo finalTask, Throwable error) {
                context.setTask(finalTask);
                if (started.compareAndSet(false, true)) {
                    observation.start();
                }
                if (error != null) {
                    observation.error(error);   // the meter's error tag: its simple class name; spans record it
                }
                observation.stop();
            }
        };
    }
}
