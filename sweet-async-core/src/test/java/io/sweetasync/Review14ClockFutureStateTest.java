package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Future#state()} (JDK 19+) asks, it does not wait: a body that reads its own handle's state after its
 * deadline passed (its task is then {@code isDone()}) got the JDK default's {@code get()}, which the engine refuses
 * ("cannot wait for itself") with an {@link IllegalStateException}, or would have waited for its own end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review14ClockFutureStateTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** What a round answers when its deadline passed before the body began: nothing was read. */
    private static final Object NO_ATTEMPT = new Object();

    /**
     * Runs a task whose body, once its deadline interrupted it, reads {@code state()} of its own handle. The deadline
     * runs from submission: on a loaded machine (the core tests run in two JVMs) it can pass before the body has
     * begun, and then nothing reads; such a round is run again with a deadline twice as long.
     */
    private Object stateSeenByOwnBodyAfterDeadline(boolean withFallback) throws Exception {
        for (Duration timeout = Duration.ofMillis(50); ; timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            Object seen = stateSeenByOwnBodyAfterDeadline(withFallback, timeout);
            if (seen != NO_ATTEMPT) {
                return seen;
            }
        }
    }

    private Object stateSeenByOwnBodyAfterDeadline(boolean withFallback, Duration timeout) throws Exception {
        CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
        AtomicReference<Object> seen = new AtomicReference<>();
        CountDownLatch read = new CountDownLatch(1);
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class).named("self-reader")
                .timeout(timeout);
        if (withFallback) {
            builder = builder.fallback(error -> "fallback");
        }
        SpawningTask<String> task = builder.run(() -> {
            SpawningTask<String> me = self.get(30, TimeUnit.SECONDS);
            try {
                if (!me.isDone()) { // a body begun just as its deadline passed reads at once
                    Thread.sleep(Long.MAX_VALUE);
                }
            }
            catch (InterruptedException ex) {
                // the deadline: the task is done (its end decided), its body still runs
            }
            try {
                seen.set(me.isDone() ? me.state() : "not done");
            }
            catch (RuntimeException ex) {
                seen.set(ex);
            }
            finally {
                read.countDown();
            }
            return "body";
        });
        self.complete(task);
        task.result();
        if (task.info().attempts() == 0) {
            return NO_ATTEMPT; // the body never began (or begins only now, and reads into this round's, unread)
        }
        assertThat(read.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(task.state()).isEqualTo(withFallback ? Future.State.SUCCESS : Future.State.FAILED);
        return seen.get();
    }

    @Test
    void aBodyReadsItsOwnStateAfterItsDeadlineWithoutAFallback() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(stateSeenByOwnBodyAfterDeadline(false)).as("state() read by the body itself")
                    .isEqualTo(Future.State.FAILED);
        }
    }

    @Test
    void aBodyReadsItsOwnStateAfterItsDeadlineWithAFallback() throws Exception {
        for (int i = 0; i < 20; i++) {
            // the fallback, which runs once the body returned, decides: not completed yet
            assertThat(stateSeenByOwnBodyAfterDeadline(true)).as("state() read by the body itself")
                    .isEqualTo(Future.State.RUNNING);
        }
    }

    @Test
    void aChildReadsItsTimedOutParentsStateWithoutWaitingForIt() throws Exception {
        AtomicReference<Object> seen = new AtomicReference<>();
        CountDownLatch read = new CountDownLatch(1);
        CompletableFuture<SpawningTask<String>> parentHandle = new CompletableFuture<>();
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").timeout(Duration.ofMillis(50))
                .run(() -> {
                    SpawningTask<String> me = parentHandle.get(30, TimeUnit.SECONDS);
                    TaskContext.current().orElseThrow().runChild(() -> {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        }
                        catch (InterruptedException ex) {
                            // the parent timed out: cancelled
                        }
                        try {
                            seen.set(me.state());
                        }
                        catch (RuntimeException ex) {
                            seen.set(ex);
                        }
                        finally {
                            read.countDown();
                        }
                        return "child";
                    });
                    Thread.sleep(Long.MAX_VALUE);
                    return "parent";
                });
        parentHandle.complete(parent);
        assertThat(read.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.get()).isEqualTo(Future.State.FAILED);
        assertThat(parent.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(parent.state()).isEqualTo(Future.State.FAILED);
    }

    @Test
    void stateOfEndedTasksAsTheJdkDefines() {
        assertThat(orchestrator.to(String.class).run(() -> "ok").state()).isIn(Future.State.RUNNING,
                Future.State.SUCCESS);
        SpawningTask<String> ok = orchestrator.to(String.class).run(() -> "ok");
        ok.join();
        assertThat(ok.state()).isEqualTo(Future.State.SUCCESS);
        SpawningTask<String> failed = orchestrator.to(String.class).run(() -> {
            throw new IllegalStateException("boom");
        });
        failed.result();
        assertThat(failed.state()).isEqualTo(Future.State.FAILED);
        CountDownLatch never = new CountDownLatch(1);
        SpawningTask<String> cancelled = orchestrator.to(String.class).run(() -> {
            never.await();
            return "never";
        });
        assertThat(cancelled.state()).isEqualTo(Future.State.RUNNING);
        assertThat(cancelled.cancel()).isTrue();
        assertThat(cancelled.state()).isEqualTo(Future.State.CANCELLED);
        cancelled.result();
        assertThat(cancelled.state()).isEqualTo(Future.State.CANCELLED);
    }
}
