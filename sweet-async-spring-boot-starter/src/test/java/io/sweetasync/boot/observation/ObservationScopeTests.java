package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each attempt of a task sees its own observation as the current one, on whatever thread it runs; nothing
 * is left current on a pool thread after a retried, failed or timed-out task (the starter's order: the
 * context snapshot outermost, the task's observation inside it).
 */
class ObservationScopeTests {

    @Test
    @Timeout(120)
    void retriesFailuresAndTimeoutsLeaveNoObservationCurrentOnThePoolThread() throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(context -> true);
        assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
                .as("the current observation is a propagated thread-local, as in the starter")
                .anyMatch(accessor -> accessor.key().equals(ObservationThreadLocalAccessor.KEY));
        List<String> seen = new CopyOnWriteArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new MicrometerContextPropagator(ContextSnapshotFactory.builder().clearMissing(true).build()))
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            String result = orchestrator.to(String.class).named("flaky").runtime("single")
                    .retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
                        seen.add("flaky " + current(observations));
                        seen.add(TaskContext.current().orElseThrow().child(String.class).named("child")
                                .runtime("single").run(() -> "child " + current(observations) + " under "
                                        + parent(observations)).join());
                        if (TaskContext.current().orElseThrow().attempt() < 3) {
                            throw new IOException("attempt fails");
                        }
                        return "done";
                    }).join();
            assertThat(result).isEqualTo("done");
            orchestrator.to(String.class).named("broken").runtime("single").run(() -> {
                throw new IllegalStateException("x");
            }).result();
            orchestrator.to(String.class).named("slow").runtime("single").timeout(Duration.ofMillis(20)).run(() -> {
                Thread.sleep(Long.MAX_VALUE);
                return "never";
            }).result();
            seen.add(orchestrator.to(String.class).named("after").runtime("single")
                    .await(() -> "after " + current(observations) + " under " + parent(observations)));
        }
        assertThat(seen).containsExactly("flaky flaky", "child child under flaky", "flaky flaky",
                "child child under flaky", "flaky flaky", "child child under flaky", "after after under none");
    }

    /**
     * {@code TaskContext.child} makes children "whatever thread starts them": one started from a thread that
     * is not the parent's body (a {@code CompletableFuture} stage, a thread the body started) is still the
     * parent task's child, and so is its observation. It took the creating thread's current observation,
     * none there: the child's span began a trace of its own, apart from its parent's.
     */
    @Test
    @Timeout(60)
    void aChildStartedFromAnotherThreadIsObservedUnderItsParentTask() throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        List<Observation.Context> started = new CopyOnWriteArrayList<>();
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStart(Observation.Context context) {
                started.add(context);
            }
        });
        ObservationContextPropagator propagator = new ObservationContextPropagator(() -> observations, null);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().contextPropagator(propagator).build()) {
            String seen = orchestrator.to(String.class).named("parent").await(() -> {
                TaskContext parent = TaskContext.current().orElseThrow();
                String[] child = new String[1];
                Thread other = Thread.ofPlatform().start(() -> child[0] = parent.child(String.class).named("child")
                        .run(() -> current(observations) + " under " + parent(observations)).join());
                other.join();
                return child[0];
            });
            assertThat(seen).isEqualTo("child under parent");
            assertThat(propagator.live).as("no observation kept for the tasks that ended").isEmpty();
        }
        assertThat(started).filteredOn(context -> context instanceof TaskObservationContext task
                && task.getTask().name().equals("child")).singleElement()
                .satisfies(child -> assertThat(child.getParentObservation()).as("the child's parent observation")
                        .isNotNull().extracting(ObservationScopeTests::name).isEqualTo("parent"));
    }

    /**
     * A task that ends (here: times out) while its observation is being started on the attempt's thread is
     * stopped after that start, not during it: stopped first, the start that followed left a long task timer
     * sample ({@code sweet.async.task.active}) and a span that nothing would ever end.
     */
    @Test
    @Timeout(60)
    void aTaskEndingWhileItsObservationStartsIsStoppedOnlyAfterTheStart() throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof TaskObservationContext;
            }

            @Override
            public void onStart(Observation.Context context) {
                events.add("start");
                starting.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await(); // a slow handler (an exporter's lock, say), which the timeout's interrupt does not cut short
                        break;
                    }
                    catch (InterruptedException ex) {
                        interrupted = true;
                    }
                }
                events.add("started");
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onStop(Observation.Context context) {
                events.add("stop");
            }
        });
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            // the deadline runs from submission: on a loaded machine it can pass before the attempt has started
            // (then no observation starts and starting.await() hung), so such a task is run again with a deadline
            // twice as long
            SpawningTask<String> found = null;
            for (Duration timeout = Duration.ofMillis(50); starting.getCount() > 0; timeout = timeout.multipliedBy(2)) {
                assertThat(timeout).as("a deadline the attempt could not reach").isLessThan(Duration.ofSeconds(30));
                SpawningTask<String> attempt = orchestrator.to(String.class).named("slow-start").timeout(timeout)
                        .run(() -> "body");
                await().alias("the observation is starting, or the task ended first").atMost(Duration.ofSeconds(30))
                        .until(() -> starting.getCount() == 0 || attempt.status().isTerminal());
                found = attempt;
            }
            SpawningTask<String> task = found;
            await().alias("the task timed out while its observation was starting").atMost(Duration.ofSeconds(30))
                    .until(() -> task.status() == TaskStatus.TIMED_OUT);
            release.countDown();
            await().alias("the observation was stopped").atMost(Duration.ofSeconds(30))
                    .until(() -> events.contains("stop"));
            assertThat(events).containsExactly("start", "started", "stop");
        }
    }

    private static String current(ObservationRegistry observations) {
        Observation current = observations.getCurrentObservation();
        return current == null ? "none" : name(current);
    }

    private static String parent(ObservationRegistry observations) {
        Observation current = observations.getCurrentObservation();
        ObservationView parent = current == null ? null : current.getContextView().getParentObservation();
        return parent == null ? "none" : name(parent);
    }

    private static String name(ObservationView observation) {
        return observation.getContextView() instanceof TaskObservationContext task ? task.getTask().name()
                : observation.getContextView().getName();
    }
}
