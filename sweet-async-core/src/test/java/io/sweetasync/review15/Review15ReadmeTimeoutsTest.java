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
}
