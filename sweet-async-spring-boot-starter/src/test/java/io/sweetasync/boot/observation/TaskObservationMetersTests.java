package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.boot.micrometer.TaskObservationDescriptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.annotation.Bean;

/** The meters Micrometer derives from the sweet.async.task observation: descriptions, error and outcome tags. */
class TaskObservationMetersTests {

    @Test
    void failedTasksNameTheirErrorRunningOnesHaveNoOutcomeAndBothMetersAreDescribed() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        meters.config().meterFilter(new TaskObservationDescriptions());
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            orchestrator.to(String.class).named("broken").run(() -> {
                throw new IOException("disk full");
            }).result();
            orchestrator.to(String.class).named("slow").timeout(Duration.ofMillis(1)).run(() -> {
                Thread.sleep(Long.MAX_VALUE);
                return "never";
            }).result();
            orchestrator.to(String.class).named("fine").await(() -> "ok");
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).named("busy").run(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            running.await();

            assertThat(meters.get("sweet.async.task").tag("name", "broken").timer().getId().getTag("error"))
                    .isEqualTo("IOException");
            assertThat(meters.get("sweet.async.task").tag("name", "broken").timer().getId().getTag("outcome"))
                    .isEqualTo("failed");
            // a deadline that lands while the attempt's thread is inside the observation's start leaves the stop
            // (which makes the timer) to that thread, after result() has returned
            await().alias("the slow task's observation stopped").atMost(Duration.ofSeconds(30))
                    .until(() -> meters.find("sweet.async.task").tag("name", "slow").timer() != null);
            assertThat(meters.get("sweet.async.task").tag("name", "slow").timer().getId().getTag("error"))
                    .isEqualTo("TaskTimeoutException");
            Timer fine = meters.get("sweet.async.task").tag("name", "fine").timer();
            assertThat(fine.getId().getTag("error")).isEqualTo("none");
            assertThat(fine.getId().getDescription()).startsWith("Tasks from their first attempt");
            LongTaskTimer active = meters.get("sweet.async.task.active").tag("name", "busy").longTaskTimer();
            assertThat(active.getId().getTag("outcome")).as("no outcome while running").isNull();
            assertThat(active.activeTasks()).isEqualTo(1);
            assertThat(active.getId().getDescription()).startsWith("Tasks running now");
            release.countDown();
            busy.join();
        }
    }

    /**
     * A task that never ran (rejected, or cancelled or timed out while queued) is still observed, started and
     * stopped at its end. Started with its final status, its {@code sweet.async.task.active} long task timer
     * had an {@code outcome} tag, which the running ones have not (README: {@code name}, {@code group},
     * {@code runtime}): a second "active" series per name, group, runtime and way of never running, in
     * Prometheus {@code sweet_async_task_active_seconds_count{outcome="failed"}} beside the real one.
     */
    @Test
    @Timeout(30)
    void aTaskThatNeverRanLeavesNoOutcomeOnTheActiveTimer() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CompositeMeterRegistry both = new CompositeMeterRegistry().add(prometheus).add(meters);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(both));
        ObservationContextPropagator refusing = new ObservationContextPropagator(() -> observations, null);
        TaskOrchestrator closed = TaskOrchestrator.builder().contextPropagator(refusing).build();
        closed.close();
        SpawningTask<String> refused = closed.to(String.class).named("busy").run(() -> "never");
        assertThatThrownBy(refused::join).isInstanceOf(TaskRejectedException.class);
        assertThat(refusing.live).as("no observation kept for the rejected task").isEmpty();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).named("busy").run(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            running.await();
            try {
                assertThat(prometheus.scrape().lines().filter(line -> line.startsWith("sweet_async_task_active")))
                        .as("the sweet_async_task_active series: the running task's only")
                        .contains("sweet_async_task_active_seconds_count{group=\"none\",name=\"busy\","
                                + "runtime=\"virtual\"} 1")
                        .noneMatch(line -> line.contains("outcome="));
                assertThat(meters.get("sweet.async.task.active").longTaskTimers()).singleElement()
                        .satisfies(timer -> assertThat(timer.getId().getTag("outcome")).isNull());
            }
            finally {
                release.countDown();
                busy.join();
            }
        }
        assertThat(meters.get("sweet.async.task").tag("outcome", "failed").tag("error", "TaskRejectedException")
                .timer().count()).as("the task that never ran is still observed").isEqualTo(1);
    }

    /**
     * The README promises "tag values bounded" for every meter, the observation's too, and
     * {@link TaskObservationDocumentation.LowCardinalityKeys} calls name and group bounded tags: a task name
     * or a group made per request or per tenant must not make a timer each.
     */
    @Test
    @Timeout(120)
    void theObservationsMeterTagsStayBoundedWhateverNamesAndGroupsTasksHave() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, null)).build()) {
            for (int i = 0; i < 500; i++) {
                orchestrator.to(Integer.class).named("job-" + i).group("tenant-" + i).await(() -> 1);
            }
        }
        assertThat(distinct(meters, "name")).as("distinct name tags").isLessThanOrEqualTo(201);
        assertThat(distinct(meters, "group")).as("distinct group tags").isLessThanOrEqualTo(201);
        assertThat(meters.get("sweet.async.task").tag("name", "other").timers())
                .as("the tasks beyond the bound still counted").isNotEmpty();
        long counted = meters.get("sweet.async.task").timers().stream().mapToLong(Timer::count).sum();
        assertThat(counted).isEqualTo(500);
    }

    /** {@link TaskObservationConvention}'s javadoc example, as written: its tag reaches the meter. */
    @Test
    void theConventionExampleAddsItsTag() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(new ObservationContextPropagator(() -> observations, taskObservations())).build()) {
            orchestrator.to(Integer.class).named("tiered").tag("tier", "gold").await(() -> 1);
            orchestrator.to(Integer.class).named("plain").await(() -> 1);
        }
        assertThat(meters.get("sweet.async.task").tag("name", "tiered").timer().getId().getTag("tier")).isEqualTo("gold");
        assertThat(meters.get("sweet.async.task").tag("name", "plain").timer().getId().getTag("tier")).isEqualTo("none");
    }

    // --- javadoc: TaskObservationConvention ---
    @Bean
    TaskObservationConvention taskObservations() {
        return new DefaultTaskObservationConvention() {
            @Override
            public KeyValues getLowCardinalityKeyValues(TaskObservationContext context) {
                return super.getLowCardinalityKeyValues(context)
                        .and("tier", context.getTask().tags().getOrDefault("tier", "none"));
            }
        };
    }
    // --- end ---

    private static long distinct(SimpleMeterRegistry meters, String tag) {
        return meters.get("sweet.async.task").timers().stream().map(timer -> timer.getId().getTag(tag))
                .filter(Objects::nonNull).distinct().count();
    }
}
