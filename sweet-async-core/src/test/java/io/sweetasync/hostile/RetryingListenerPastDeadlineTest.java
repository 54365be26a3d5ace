package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * After its body returns, an attempt's thread still counts as the body while it runs the engine's work: an
 * {@code onRetrying} listener, or (a failure for good) the end of the task's subtree, with its children's
 * {@code onFinished} listeners. User code there still running past the task's deadline and its grace makes the
 * task a runaway: TIMED_OUT, counted in {@link TaskOrchestrator#runawayCount()}, and on a {@code single}
 * runtime one more body may run meanwhile. Once it returns, the task is no runaway any more. Before the fix
 * both paths ended the body without saying so: the runaway was counted for ever, and the {@code single}
 * runtime ran two bodies at a time from then on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RetryingListenerPastDeadlineTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    @Test
    void aListenerThatOutlivesTheDeadlineLeavesNoRunawayAndSingleRunsOneBodyAtATimeAfter() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        CountDownLatch releaseListener = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                listening.countDown();
                awaitIgnoringInterrupts(releaseListener);
            }
        }).build()) {
            AtomicInteger attempts = new AtomicInteger();
            SpawningTask<String> task = orchestrator.to(String.class).named("slow-listener").runtime("single")
                    .timeout(Duration.ofSeconds(1)).retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                        attempts.incrementAndGet();
                        throw new IOException("fails");
                    });
            assertThat(listening.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            await().alias("the listener counted as a runaway body").atMost(HANG)
                    .until(() -> orchestrator.runawayCount() == 1);
            releaseListener.countDown();
            await().alias("no runaway once the listener returned").atMost(Duration.ofSeconds(5))
                    .until(() -> orchestrator.runawayCount() == 0);
            assertThat(attempts).as("no attempt after the deadline").hasValue(1);

            // single: one body at a time again
            SingleRuntime.assertRunsOneBodyAtATime(orchestrator, HANG);
        }
    }

    @Test
    void aChildsListenerRunByTheFailingParentPastItsDeadlineLeavesNoRunaway() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        CountDownLatch releaseListener = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("queued-child")) {
                    listening.countDown();
                    awaitIgnoringInterrupts(releaseListener);
                }
            }
        }).build()) {
            SpawningTask<String> parent = orchestrator.to(String.class).named("failing-parent").runtime("single")
                    .timeout(Duration.ofSeconds(1)).run(() -> {
                        // queued behind its parent on the one thread: the parent's failure cancels it, there
                        orchestrator.to(String.class).named("queued-child").run(() -> "never");
                        throw new IOException("fails");
                    });
            assertThat(listening.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertTimeoutPreemptively(HANG, parent::result);
            assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
            await().alias("the listener counted as the parent's runaway body").atMost(HANG)
                    .until(() -> orchestrator.runawayCount() >= 1);
            releaseListener.countDown();
            await().alias("no runaway once the listener returned").atMost(Duration.ofSeconds(5))
                    .until(() -> orchestrator.runawayCount() == 0);
        }
    }

    /** As a body ignoring its interrupt would: waits until released (bounded). */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long end = System.nanoTime() + HANG.toNanos();
        boolean interrupted = false;
        while (latch.getCount() > 0 && System.nanoTime() < end) {
            try {
                latch.await(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
