package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.ContextPropagator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The starter's propagators are public classes an application may extend (its bean replaces the starter's, which
 * is {@code @ConditionalOnMissingBean}): a subclass that overrides {@code capture(TaskInfo)}, the one method they
 * had before {@code captureLazily}, is still what the engine calls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PropagatorSubclassTests {

    @Test
    void aMicrometerPropagatorSubclassesCaptureOverrideIsCalledForEveryTask() {
        List<String> seen = new CopyOnWriteArrayList<>();
        MicrometerContextPropagator propagator = new MicrometerContextPropagator(
                ContextSnapshotFactory.builder().clearMissing(true).build()) {
            @Override
            public Captured capture(TaskInfo task) {
                seen.add(task.name());
                return super.capture(task);
            }
        };
        runATaskNamedFirst(propagator);
        assertThat(seen).containsExactly("first");
    }

    @Test
    void anObservationPropagatorSubclassesCaptureOverrideIsCalledForEveryTask() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ObservationContextPropagator propagator = new ObservationContextPropagator(() -> ObservationRegistry.NOOP,
                new DefaultTaskObservationConvention()) {
            @Override
            public Captured capture(TaskInfo task) {
                seen.add(task.name());
                return super.capture(task);
            }
        };
        runATaskNamedFirst(propagator);
        assertThat(seen).containsExactly("first");
    }

    @Test
    void aSubclassWhoseCaptureLazilyCallsSuperCaptureDoesNotRecurse() {
        List<String> seen = new CopyOnWriteArrayList<>();
        MicrometerContextPropagator propagator = new MicrometerContextPropagator(
                ContextSnapshotFactory.builder().clearMissing(true).build()) {
            @Override
            public Captured captureLazily(java.util.function.Supplier<TaskInfo> task) {
                seen.add(task.get().name());
                return super.capture(task.get());
            }
        };
        assertThat(runATaskNamedFirst(propagator)).isEqualTo("done");
        assertThat(seen).containsExactly("first");
    }

    /** Runs a task named "first" on an orchestrator with {@code propagator}; its value. */
    private static String runATaskNamedFirst(ContextPropagator propagator) {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().contextPropagator(propagator).build()) {
            return orchestrator.to(String.class).named("first").run(() -> "done").join();
        }
    }
}
