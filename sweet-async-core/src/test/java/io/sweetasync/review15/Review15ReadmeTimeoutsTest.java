package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Timeouts, cancellation", and "Retries per error type": cancelled tasks, and their subtrees. */
@Timeout(120)
class Review15ReadmeTimeoutsTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "Cancelled or timed-out tasks are never retried." (the cancelled half; the timed-out one is ReadmeClaimsTest's)
    // and "cancel() ... interrupt the running body and cancel its whole unfinished subtree"
    @Test
    void aCancelledTaskIsNotRetriedAndItsSubtreeIsCancelled() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> grandchild = new AtomicReference<>();
        SpawningTask<String> task = orchestrator.to(String.class).named("cancelled")
                .retry(RetryPolicy.fixed(5, Duration.ZERO)).run(() -> {
                    attempts.incrementAndGet();
                    TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> {
                        grandchild.set(TaskContext.current().orElseThrow().child(String.class).named("grandchild")
                                .run(() -> {
                                    started.countDown();
                                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                                    return "never";
                                }));
                        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                        return "never";
                    });
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                    return "never";
                });
        started.await();
        assertThat(task.cancel()).isTrue();
        assertThat(task.isDone()).isTrue();
        assertThat(task.isCancelled()).isTrue();
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(attempts).hasValue(1);
        grandchild.get().result();
        assertThat(grandchild.get().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    // "A cancel() that returns false leaves isDone() true as well: it lost to an end already decided"
    @Test
    void aCancelThatLosesLeavesIsDoneTrue() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> "done");
        assertThat(task.join()).isEqualTo("done");
        assertThat(task.cancel()).isFalse();
        assertThat(task.isDone()).isTrue();
        assertThat(task.isCancelled()).isFalse();
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
    }
    // "if the interrupted body has not returned 100 ms after the deadline, the task and its unfinished subtree end at
    // once (TIMED_OUT, children CANCELLED) and every waiter is released with TaskTimeoutException"
    @Test
    void aRunawayAndItsSubtreeEndAtOnce() throws Exception {
        CountDownLatch childStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        SpawningTask<String> root = orchestrator.to(String.class).named("runaway")
                .timeout(Duration.ofMillis(300)).run(() -> {
                    child.set(TaskContext.current().orElseThrow().child(String.class).named("deaf-child").run(() -> {
                        childStarted.countDown();
                        awaitIgnoringInterrupts(release);
                        return "child";
                    }));
                    awaitIgnoringInterrupts(release);
                    return "never seen";
                });
        try {
            childStarted.await();
            assertThat(root.result().isOk()).isFalse();
            assertThat(root.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(root.info().runaway()).isTrue();
            child.get().result();
            assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(release.getCount()).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                if (latch.await(10, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
    // "Deadlines and retry delays are kept on the clock's own platform threads, so they fire on time also while
    // virtual bodies that compute without blocking hold every carrier of the JDK's scheduler ...: such a body sees
    // its stop at its next check."
    @Test
    void deadlinesFireWhileComputingVirtualBodiesHoldEveryCarrier() {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        java.util.List<SpawningTask<String>> spinners = new java.util.ArrayList<>();
        for (int i = 0; i <= carriers; i++) {
            spinners.add(orchestrator.to(String.class).named("spinner").timeout(Duration.ofMillis(300)).run(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
                return "stopped";
            }));
        }
        for (SpawningTask<String> spinner : spinners) {
            spinner.result();
            assertThat(spinner.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
    }
}
