package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskRuntime;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@link ObservationHandler} that throws (a tracing bridge's bug) is a propagator failure: logged and
 * skipped, never breaking the task. It must not leave anything behind either: a long task timer sample that
 * counts forever, or the task's observation current on the thread that ran it.
 */
class ObservationHandlerFailureTests {

    @Test
    @Timeout(30)
    void aHandlerFailingOnStartLeavesNoActiveSampleForATaskThatNeverRan() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters))
                .observationHandler(new Failing(true, false, false, false));
        TaskOrchestrator closed = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build();
        closed.close();
        SpawningTask<String> refused = closed.to(String.class).named("refused").run(() -> "never");
        assertThatThrownBy(refused::join).isInstanceOf(TaskRejectedException.class);

        LongTaskTimer active = meters.get("sweet.async.task.active").tag("name", "refused").longTaskTimer();
        assertThat(active.activeTasks()).as("the rejected task is not running forever").isZero();
    }

    @Test
    @Timeout(30)
    void aHandlerFailingOnTheErrorStillStopsTheFailedTasksObservation() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters))
                .observationHandler(new Failing(false, false, false, true));
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            SpawningTask<String> broken = orchestrator.to(String.class).named("broken").run(() -> {
                throw new IOException("disk full");
            });
            assertThat(broken.result().isOk()).as("the body's failure is the outcome").isFalse();
        }
        LongTaskTimer active = meters.get("sweet.async.task.active").tag("name", "broken").longTaskTimer();
        assertThat(active.activeTasks()).as("the failed task is not running forever").isZero();
        assertThat(meters.get("sweet.async.task").tag("name", "broken").timer().count()).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void aHandlerFailingOnScopeCloseLeavesNoObservationCurrentOnTheRuntimesThread() throws Exception {
        assertNothingLeftCurrent(new Failing(false, false, true, false));
    }

    @Test
    @Timeout(30)
    void aHandlerFailingOnScopeOpenLeavesNoObservationCurrentOnTheRuntimesThread() throws Exception {
        assertNothingLeftCurrent(new Failing(false, true, false, false));
    }

    private static void assertNothingLeftCurrent(Failing failing) throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(context -> true).observationHandler(failing);
        ExecutorService own = Executors.newSingleThreadExecutor();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("own", own))
                .contextPropagator(new MicrometerContextPropagator(ContextSnapshotFactory.builder().clearMissing(true).build()))
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            String result = orchestrator.to(String.class).named("task").runtime("own").await(() -> "done");
            assertThat(result).as("the handler's failure does not break the task").isEqualTo("done");
            Observation left = own.submit(observations::getCurrentObservation).get(10, TimeUnit.SECONDS);
            assertThat(left).as("what the application's own thread has current after the task").isNull();
        }
        finally {
            own.shutdownNow();
        }
    }

    private record Failing(boolean onStart, boolean onOpen, boolean onClose, boolean onError)
            implements ObservationHandler<Observation.Context> {

        @Override
        public void onStart(Observation.Context context) {
            if (onStart) {
                throw new IllegalStateException("handler fails on start");
            }
        }

        @Override
        public void onScopeOpened(Observation.Context context) {
            if (onOpen) {
                throw new IllegalStateException("handler fails on scope open");
            }
        }

        @Override
        public void onScopeClosed(Observation.Context context) {
            if (onClose) {
                throw new IllegalStateException("handler fails on scope close");
            }
        }

        @Override
        public void onError(Observation.Context context) {
            if (onError) {
                throw new IllegalStateException("handler fails on error");
            }
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}
