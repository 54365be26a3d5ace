package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A runaway costs its runtime a thread, not a slot (PooledRuntime: capacity = size + stuck). A runaway whose
 * body waits for another task (a managed block, which already gave its slot and thread to a spare) and ignores
 * its interrupt (Guava's getUninterruptibly does) holds no slot: a {@code single} runtime still runs one body
 * at a time beside it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunawayInAWaitTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    @Test
    void aRunawayWaitingUninterruptiblyLeavesSingleRunningOneBodyAtATime() throws Exception {
        CountDownLatch releaseOther = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SpawningTask<String> other = orchestrator.to(String.class).named("other").detached().run(() -> {
                releaseOther.await(HANG.toSeconds(), TimeUnit.SECONDS);
                return "other";
            });
            SpawningTask<String> runaway = orchestrator.to(String.class).named("waits-uninterruptibly")
                    .runtime("single").timeout(Duration.ofSeconds(1)).run(() -> getUninterruptibly(other));
            assertTimeoutPreemptively(HANG, runaway::result);
            assertThat(runaway.status()).isEqualTo(TaskStatus.TIMED_OUT);
            await().alias("a runaway").atMost(HANG).until(() -> orchestrator.runawayCount() == 1);

            SingleRuntime.assertRunsOneBodyAtATime(orchestrator, HANG);
            releaseOther.countDown();
            await().alias("no runaway once its wait ended").atMost(HANG).until(() -> orchestrator.runawayCount() == 0);
        }
        finally {
            releaseOther.countDown();
        }
    }

    /** As Guava's Uninterruptibles.getUninterruptibly: waits through interrupts, and keeps them. */
    private static <V> V getUninterruptibly(SpawningTask<V> task) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
