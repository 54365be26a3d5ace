package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task whose observation an {@code ObservationPredicate} turns off (Boot's
 * {@code management.observations.enable.<name>=false}, or a predicate on the task's name) is not observed, and
 * its children nest under the observation it would have nested under, as Micrometer nests an observation made
 * inside a disabled one: given the disabled task's no-op observation as their parent, their spans had no
 * parent at all and each began a trace of its own, cut off from the request that started the work.
 */
class Review16ObsUnobservedParentTests {

    @Test
    @Timeout(60)
    void childrenOfATaskWhoseObservationIsTurnedOffNestUnderTheObservationAroundIt() throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        Map<String, Observation.Context> started = new ConcurrentHashMap<>();
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStart(Observation.Context context) {
                started.put(context instanceof TaskObservationContext task ? task.getTask().name() : context.getName(),
                        context);
            }
        });
        observations.observationConfig().observationPredicate((name, context) ->
                !(context instanceof TaskObservationContext task && task.getTask().name().equals("quiet")));
        ObservationContextPropagator propagator = new ObservationContextPropagator(() -> observations, null);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder() // the starter's propagators, in its order
                .contextPropagator(new MicrometerContextPropagator(ContextSnapshotFactory.builder().clearMissing(true).build()))
                .contextPropagator(propagator).build()) {
            Observation request = Observation.start("request", observations);
            try (Observation.Scope scope = request.openScope()) {
                orchestrator.to(String.class).named("quiet").await(() -> {
                    TaskContext quiet = TaskContext.current().orElseThrow();
                    quiet.child(String.class).named("in-body").await(() -> "x");
                    Thread other = Thread.ofPlatform().start(() -> quiet.child(String.class).named("from-another-thread")
                            .run(() -> "y").join());
                    other.join();
                    return "done";
                });
            }
            finally {
                request.stop();
            }
            assertThat(propagator.live).as("nothing kept for the tasks that ended").isEmpty();
        }
        assertThat(started).doesNotContainKey("quiet").containsKeys("request", "in-body", "from-another-thread");
        for (String child : List.of("in-body", "from-another-thread")) {
            ObservationView parent = started.get(child).getParentObservation();
            assertThat(parent).as("the parent observation of " + child).isNotNull();
            assertThat(parent.getContextView().getName()).as("the parent observation of " + child).isEqualTo("request");
        }
    }
}
