package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A runaway's resource figures (its task timed out, its body ignores the interrupt and keeps running): they
 * are {@code PENDING} from its terminal status until its body returns, and then announced once, final,
 * through {@link TaskListener#onResourcesUpdated}, the history and the store, as late sampled figures are.
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunawayFiguresTest {

    static volatile Object sink;

    /** Burns CPU and allocates until {@code release} opens, ignoring interrupts. */
    private static int runAwayUntil(CountDownLatch release) {
        double v = 0;
        while (release.getCount() > 0) {
            for (int i = 0; i < 20_000; i++) {
                v += Math.sqrt(v + i);
            }
            sink = new byte[256];
        }
        sink = v;
        return 1;
    }

    /** Records what the listeners are told of tasks named {@code name}. */
    private static final class Told implements TaskListener {
        private final String name;
        final AtomicReference<TaskInfo> finished = new AtomicReference<>();
        final List<TaskInfo> updates = new CopyOnWriteArrayList<>();

        Told(String name) {
            this.name = name;
        }

        @Override
        public void onFinished(TaskInfo task) {
            if (task.name().equals(name)) {
                finished.set(task);
            }
        }

        @Override
        public void onResourcesUpdated(TaskInfo task) {
            if (task.name().equals(name)) {
                updates.add(task);
            }
        }
    }

    /**
     * Under {@code MEASURE_AND_SAMPLE} the runaway's sampled slice stays open until its body returns, as its
     * measured attempt does: the task is announced once, when both are in, with its measured figures final.
     * Once a later task's sampled figures were announced (the same queue, in order), no second announcement
     * of the runaway can be on its way.
     */
    @Test
    void underSamplingARunawayIsAnnouncedOnceWithItsFinalFigures() {
        Work.assumeCounters();
        Told runaway = new Told("runaway");
        Told marker = new Told("marker");
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).listener(runaway).listener(marker).build()) {
            Assumptions.assumeTrue(orchestrator.parts().attribution() != null, "JDK Flight Recorder attribution");
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("runaway").runtime("platform")
                    .timeout(Duration.ofSeconds(1)).run(() -> runAwayUntil(release));
            await().alias("the task timed out, its body still running").atMost(Duration.ofSeconds(60))
                    .until(() -> runaway.finished.get() != null && !orchestrator.runaways().isEmpty());
            TaskMetrics atEnd = runaway.finished.get().metrics();
            assertThat(atEnd.cpuTimeNanos().source()).as("CPU at the terminal status, its body running")
                    .isEqualTo(ResourceValue.Source.PENDING);
            assertThat(atEnd.allocatedBytes().source()).as("allocation at the terminal status, its body running")
                    .isEqualTo(ResourceValue.Source.PENDING);
            assertThat(runaway.updates).as("announced while its body runs").isEmpty();

            release.countDown();
            await().alias("the runaway announced").atMost(Duration.ofSeconds(60))
                    .until(() -> !runaway.updates.isEmpty());
            SpawningTask<Integer> later = orchestrator.to(Integer.class).named("marker").runtime("virtual")
                    .run(() -> 2);
            assertThat(later.join()).isEqualTo(2);
            await().alias("a later task's sampled figures announced").atMost(Duration.ofSeconds(60))
                    .until(() -> !marker.updates.isEmpty());

            assertThat(runaway.updates).as("announcements of the runaway").hasSize(1);
            TaskMetrics announced = runaway.updates.get(0).metrics();
            assertThat(announced.cpuTimeNanos().source()).as("announced CPU").isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(announced.allocatedBytes().source()).as("announced allocation")
                    .isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(announced.cpuTimeNanos().amount()).as("announced CPU against the lower bound at the end")
                    .isGreaterThanOrEqualTo(atEnd.cpuTimeNanos().amount());
            assertThat(List.of(announced.bytesRead(), announced.bytesWritten())).as("announced I/O figures")
                    .noneMatch(ResourceValue::isPending);
            assertThat(task.metrics()).as("the figures the task keeps").isEqualTo(announced);
        }
    }

    /**
     * With no {@code onFinished} listener the finisher takes no snapshot of its own; the history's entry,
     * taken while the runaway's body ran, is renewed once it returns all the same.
     */
    @Test
    void withoutListenersTheHistoryIsRenewedOnceTheBodyReturns() {
        Work.assumeCounters();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE)
                .build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("runaway").runtime("platform")
                    .timeout(Duration.ofSeconds(1)).run(() -> runAwayUntil(release));
            await().alias("the task timed out, its body still running").atMost(Duration.ofSeconds(60))
                    .until(() -> task.status() == TaskStatus.TIMED_OUT && !orchestrator.runaways().isEmpty());
            assertThat(historyOf(orchestrator, task).cpuTimeNanos().source()).as("the history's CPU, body running")
                    .isEqualTo(ResourceValue.Source.PENDING);
            release.countDown();
            await().alias("the history's CPU measured").atMost(Duration.ofSeconds(60))
                    .until(() -> historyOf(orchestrator, task).cpuTimeNanos().source() == ResourceValue.Source.MEASURED);
            assertThat(historyOf(orchestrator, task)).as("the history's figures").isEqualTo(task.metrics());
        }
    }

    /**
     * A runaway whose body outlives the orchestrator: {@code close()} does not wait for it, and it is never
     * announced (the listeners, history and store keep the pending figures of its terminal status); only its
     * own {@code metrics()} become final when it returns.
     */
    @Test
    void aRunawayOutlivingCloseDoesNotHoldItAndIsNotAnnounced() throws Exception {
        Work.assumeCounters();
        Told runaway = new Told("runaway");
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE)
                .listener(runaway).build();
        CountDownLatch release = new CountDownLatch(1);
        try {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("runaway").runtime("platform")
                    .timeout(Duration.ofSeconds(1)).run(() -> runAwayUntil(release));
            await().alias("the task timed out, its body still running").atMost(Duration.ofSeconds(60))
                    .until(() -> runaway.finished.get() != null && !orchestrator.runaways().isEmpty());
            assertThat(runaway.finished.get().metrics().cpuTimeNanos().source()).as("CPU at the terminal status")
                    .isEqualTo(ResourceValue.Source.PENDING);

            Thread closing = Thread.ofPlatform().start(orchestrator::close);
            closing.join(Duration.ofSeconds(60));
            assertThat(closing.isAlive()).as("close() still waiting, the runaway's body running").isFalse();
            assertThat(orchestrator.runaways()).as("runaways after close").hasSize(1);

            release.countDown();
            await().alias("the runaway's body returned").atMost(Duration.ofSeconds(60))
                    .until(() -> orchestrator.runaways().isEmpty());
            await().alias("its own CPU figure final").atMost(Duration.ofSeconds(60))
                    .until(() -> task.metrics().cpuTimeNanos().source() == ResourceValue.Source.MEASURED);
            assertThat(runaway.updates).as("announcements after close").isEmpty();
        }
        finally {
            release.countDown();
            orchestrator.close();
        }
    }

    private static TaskMetrics historyOf(TaskOrchestrator orchestrator, SpawningTask<?> task) {
        return orchestrator.recent().stream().filter(t -> t.id().equals(task.id())).findFirst().orElseThrow()
                .metrics();
    }
}
