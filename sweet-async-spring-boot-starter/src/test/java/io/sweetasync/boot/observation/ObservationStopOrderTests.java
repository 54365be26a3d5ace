package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A parent's span covers its children's: its observation stops after theirs when a child outlives its
 * parent's body, and when the parent times out or is cancelled while a child's body ignores the interrupt
 * (a timed-out parent ends with its runaway child 100 ms after the deadline; a cancelled one once the body
 * returns).
 */
class ObservationStopOrderTests {

    @Test
    @Timeout(30)
    void aParentsObservationStopsAfterItsChildrensWhateverEndsIt() throws Exception {
        for (String ending : List.of("body-returns", "timeout", "cancel")) {
            // the timed-out parent's deadline runs from submission: on a loaded machine it can pass before its
            // body has made the child or the child has started (then childRunning.await() hung), so such a parent
            // is run again, afresh, with a deadline twice as long
            List<String> stopped = null;
            for (Duration timeout = Duration.ofMillis(200); stopped == null; timeout = timeout.multipliedBy(2)) {
                assertThat(timeout).as("a deadline the child could not reach").isLessThan(Duration.ofSeconds(10));
                stopped = stopOrder(ending, ending.equals("timeout") ? timeout : Duration.ofMinutes(5));
            }
            assertThat(stopped).as(ending).containsExactly("child", "parent");
        }
    }

    /** The tasks whose observations stopped, in order; null if the parent's deadline passed before its child ran. */
    private static List<String> stopOrder(String ending, Duration timeout) throws Exception {
        List<String> stopped = new CopyOnWriteArrayList<>();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                if (context instanceof TaskObservationContext task) {
                    stopped.add(task.getTask().name());
                }
            }
        });
        CountDownLatch childRunning = new CountDownLatch(1);
        CountDownLatch releaseChild = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            SpawningTask<String> parent = orchestrator.to(String.class).named("parent").timeout(timeout).run(() -> {
                TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> {
                    childRunning.countDown();
                    while (true) { // a runaway: ignores interrupts until released
                        try {
                            if (releaseChild.await(10, TimeUnit.SECONDS)) {
                                return "child";
                            }
                        }
                        catch (InterruptedException ignored) {
                            // keeps running
                        }
                    }
                });
                return "parent";
            });
            await().alias(ending + ": the child runs, or the parent ended first").atMost(Duration.ofSeconds(30))
                    .until(() -> childRunning.getCount() == 0 || parent.status().isTerminal());
            if (childRunning.getCount() > 0) {
                assertThat(ending).as("only a deadline ends the parent before its child runs").isEqualTo("timeout");
                releaseChild.countDown();
                return null;
            }
            if (ending.equals("cancel")) {
                parent.cancel(); // a cancelled task ends once its body (the runaway child's) returns
            }
            if (!ending.equals("timeout")) {
                Thread.sleep(100);
                assertThat(parent.info().status().isTerminal()).as(ending).isFalse();
                releaseChild.countDown();
            }
            parent.result();
            releaseChild.countDown();
        }
        return stopped;
    }
}
