package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A live task's figure is {@code PENDING} while another attempt may still add to it ({@link ResourceValue.Source}:
 * "an attempt of it runs or another may still run (a retry's next attempt)"). On a virtual thread under sampling
 * the figure is the sampled one; once the first attempt's events have all arrived, between attempts, a figure too
 * coarse so far (a few CPU samples, a few TLABs) must not read as the final {@code UNAVAILABLE}: the next attempt
 * may well bring it over the resolution, and it would then turn {@code SAMPLED}, a final figure changing.
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review14ResBetweenAttemptsTest {

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();

    @AfterEach
    void close() {
        sampling.close();
    }

    @Test
    void aVirtualTasksSampledFiguresStayPendingBetweenAttemptsOnceTheFirstAttemptSettled() throws Exception {
        assumeThat(sampling.parts().attribution()).as("JDK Flight Recorder available").isNotNull();
        CountDownLatch firstEnded = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        sampling.addListener(new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                firstEnded.countDown();
            }

            @Override
            public void onFinished(TaskInfo task) {
                finished.countDown();
            }
        });
        // the retry waits an hour: the task sits between its attempts until it is cancelled
        SpawningTask<Integer> task = sampling.to(Integer.class).runtime("virtual")
                .retry(RetryPolicy.fixed(1, Duration.ofHours(1))).run(() -> {
                    throw new IOException("first attempt, too small to sample");
                });
        assertThat(firstEnded.await(60, TimeUnit.SECONDS)).isTrue();
        TaskNode<?> node = (TaskNode<?>) task;
        // the first attempt's events have all arrived: its slice is settled
        await().atMost(Duration.ofSeconds(30)).until(() -> !node.resourcesPending());
        assertThat(task.status().isTerminal()).isFalse();

        TaskMetrics between = task.metrics();
        assertThat(between.cpuTimeNanos().source()).as("CPU between attempts: %s", between.cpuTimeNanos())
                .isEqualTo(ResourceValue.Source.PENDING);
        assertThat(between.allocatedBytes().source()).as("allocation between attempts: %s", between.allocatedBytes())
                .isEqualTo(ResourceValue.Source.PENDING);
        assertThat(between.bytesRead().source()).isEqualTo(ResourceValue.Source.PENDING);
        assertThat(sampling.find(task.id()).orElseThrow().metrics().cpuTimeNanos().source())
                .as("the live snapshot agrees").isEqualTo(ResourceValue.Source.PENDING);

        assertThat(task.cancel()).isTrue();
        assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(task.metrics().cpuTimeNanos().isPending()).as("no attempt can add to it now").isFalse();
    }
}
