package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.hostile.Latches;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stop that arrives between an attempt's start and its body (while listeners' {@code onStarted} run)
 * still interrupts the body, even if a listener swallowed the interrupt meant for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StopBeforeBodyTest {

    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    void aCancelDuringOnStartedReachesTheBody(String runtime) throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch leaveListener = new CountDownLatch(1);
        TaskListener slow = new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("victim")) {
                    inListener.countDown();
                    Latches.awaitIgnoringInterrupts(leaveListener);
                }
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(slow).build()) {
            SpawningTask<String> victim = orchestrator.to(String.class).named("victim").runtime(runtime).run(() -> {
                Thread.sleep(Long.MAX_VALUE);
                return "never";
            });
            assertThat(inListener.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(victim.cancel()).isTrue();
            leaveListener.countDown();
            assertThat(victim.toCompletableFuture().handle((value, error) -> error != null)
                    .get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(victim.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(victim.info().runaway()).as("the body was interrupted, not abandoned").isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform" })
    void aDeadlineDuringOnStartedReachesTheBody(String runtime) throws Exception {
        CountDownLatch leaveListener = new CountDownLatch(1);
        TaskListener slow = new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("victim")) {
                    Latches.awaitIgnoringInterrupts(leaveListener);
                }
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(slow).build()) {
            SpawningTask<String> victim = orchestrator.to(String.class).named("victim").runtime(runtime)
                    .timeout(Duration.ofMillis(50)).run(() -> {
                        Thread.sleep(Long.MAX_VALUE);
                        return "never";
                    });
            victim.result(); // released at the deadline (+ grace) whatever the body does
            leaveListener.countDown();
            // The body, once started, is interrupted at once: it returns, so the runaway ends.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.runawayCount() == 0);
            assertThat(victim.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
    }
}
