package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Task trees": retried parents keep their children, failures and cancellation in a tree, after(...). */
@Timeout(120)
class Review15ReadmeTreesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "Children that a failed attempt started keep running while the task is retried (they are the task's
    // children, not the attempt's), and the next attempt's joinChildren() lists them too."
    @Test
    void childrenOfAFailedAttemptKeepRunningAndTheNextAttemptJoinsThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        List<TaskResult<?>> joined = orchestrator.<List<TaskResult<?>>>to().named("parent")
                .retry(RetryPolicy.fixed(1, Duration.ZERO)).await(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    if (attempts.incrementAndGet() == 1) {
                        ctx.child(String.class).named("first-attempts-child").run(() -> {
                            release.await();
                            return "kept";
                        });
                        throw new IOException("first attempt fails");
                    }
                    release.countDown();
                    return ctx.joinChildren();
                });
        assertThat(attempts).hasValue(2);
        assertThat(joined).hasSize(1);
        assertThat(joined.get(0).orElseThrow()).isEqualTo("kept");
    }

    // "a body that fails for good (no retry left) cancels its unfinished children"
    @Test
    void aBodyThatFailsForGoodCancelsItsUnfinishedChildren() throws Exception {
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        CountDownLatch childStarted = new CountDownLatch(1);
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
            child.set(TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> {
                childStarted.countDown();
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                return "never";
            }));
            childStarted.await();
            throw new IllegalStateException("for good");
        });
        assertThat(parent.result().isOk()).isFalse();
        assertThat(parent.status()).isEqualTo(TaskStatus.FAILED);
        child.get().result();
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    // "a child's failure reaches the parent only through joinChildren()"
    @Test
    void aChildsFailureDoesNotFailAParentThatDoesNotJoinIt() {
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        String value = orchestrator.to(String.class).named("parent").await(() -> {
            child.set(TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> {
                throw new IOException("child fails");
            }));
            return "parent ok";
        });
        assertThat(value).isEqualTo("parent ok");
        assertThat(child.get().status()).isEqualTo(TaskStatus.FAILED);
    }

    // "Its timeout(...) counts from run(), the wait for them included: a task still waiting at its deadline ends
    // TIMED_OUT (or takes its fallback's value) without running."
    @Test
    void anAfterTaskStillWaitingAtItsDeadlineEndsTimedOutWithoutRunning() {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> slow = orchestrator.to(String.class).named("slow").run(() -> {
            release.await();
            return "a";
        });
        try {
            AtomicBoolean ran = new AtomicBoolean();
            SpawningTask<String> waiting = orchestrator.to(String.class).named("waiting").after(slow)
                    .timeout(Duration.ofMillis(200)).run(() -> {
                        ran.set(true);
                        return "ran";
                    });
            TaskResult<String> result = waiting.result();
            assertThat(result.isOk()).isFalse();
            assertThat(((TaskResult.Err<String>) result).error()).isInstanceOf(TaskTimeoutException.class);
            assertThat(waiting.status()).isEqualTo(TaskStatus.TIMED_OUT);

            String withFallback = orchestrator.to(String.class).named("waiting-with-fallback").after(slow)
                    .timeout(Duration.ofMillis(200)).fallback(e -> "fallback").await(() -> {
                        ran.set(true);
                        return "ran";
                    });
            assertThat(withFallback).isEqualTo("fallback");
            assertThat(ran).isFalse();
        } finally {
            release.countDown();
        }
        assertThat(slow.join()).isEqualTo("a");
    }
}
