package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A {@link io.sweetasync.spi.TaskClock} may read any value, 0 included: a test's manual clock starts there. An
 * attempt that started at 0 was taken for "no attempt runs" (the running attempt's start doubled as that mark):
 * its run time read 0 however long it ran, and its figures were shown as if it had ended.
 */
class ClockAtZeroTest {

    @Test
    void anAttemptStartedWhenTheClockReadZeroCountsAsRunning() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            ManualClock clock = new ManualClock();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock)
                    .resourceTracking(ResourceTracking.MEASURE).build()) {
                CountDownLatch running = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("platform").run(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                });
                running.await();
                clock.advance(Duration.ofSeconds(5));
                TaskMetrics during = task.metrics();
                release.countDown();
                assertThat(task.join()).isEqualTo(1);
                assertThat(during.runTime()).as("run time of an attempt started at clock 0, 5 s ago")
                        .isEqualTo(Duration.ofSeconds(5));
                assertThat(during.cpuTimeNanos().source()).as("a running attempt's CPU is not final")
                        .isEqualTo(ResourceValue.Source.PENDING);
                assertThat(task.metrics().runTime()).isEqualTo(Duration.ofSeconds(5));
            }
        });
    }
}
