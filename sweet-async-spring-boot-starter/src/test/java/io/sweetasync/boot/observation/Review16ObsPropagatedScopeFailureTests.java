package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The creator's current observation reaches the task through the context snapshot
 * ({@link MicrometerContextPropagator}, Micrometer's {@code ObservationThreadLocalAccessor}), which opens and
 * closes a scope of it on the runtime's thread: a handler failing there must leave that thread as it was.
 */
class Review16ObsPropagatedScopeFailureTests {

    @Test
    @Timeout(30)
    void aHandlerFailingOnTheCreatorsScopeOpenLeavesNothingCurrentOnTheRuntimesThread() throws Exception {
        assertNothingLeftCurrent(true, false);
    }

    @Test
    @Timeout(30)
    void aHandlerFailingOnTheCreatorsScopeCloseLeavesNothingCurrentOnTheRuntimesThread() throws Exception {
        assertNothingLeftCurrent(false, true);
    }

    private static void assertNothingLeftCurrent(boolean failOnOpen, boolean failOnClose) throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        AtomicBoolean armed = new AtomicBoolean();
        observations.observationConfig().observationHandler(context -> true)
                .observationHandler(new ObservationHandler<>() {
                    @Override
                    public void onScopeOpened(Observation.Context context) {
                        if (failOnOpen && armed.get() && "request".equals(context.getName())) {
                            throw new IllegalStateException("handler fails on scope open");
                        }
                    }

                    @Override
                    public void onScopeClosed(Observation.Context context) {
                        if (failOnClose && armed.get() && "request".equals(context.getName())) {
                            throw new IllegalStateException("handler fails on scope close");
                        }
                    }

                    @Override
                    public boolean supportsContext(Observation.Context context) {
                        return true;
                    }
                });
        ExecutorService own = Executors.newSingleThreadExecutor();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("own", own))
                .contextPropagator(new MicrometerContextPropagator(ContextSnapshotFactory.builder().clearMissing(true).build()))
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            Observation request = Observation.start("request", observations);
            String result;
            Observation.Scope scope = request.openScope();
            try {
                armed.set(true);
                result = orchestrator.to(String.class).named("task").runtime("own").await(() -> "done");
            }
            finally {
                armed.set(false);
                scope.close();
                request.stop();
            }
            assertThat(result).as("the handler's failure does not break the task").isEqualTo("done");
            Observation left = own.submit(observations::getCurrentObservation).get(10, TimeUnit.SECONDS);
            assertThat(left).as("what the application's own thread has current after the task").isNull();
        }
        finally {
            own.shutdownNow();
        }
    }
}
