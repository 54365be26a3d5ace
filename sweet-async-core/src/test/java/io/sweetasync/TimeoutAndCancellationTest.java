package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutAndCancellationTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void timeoutInterruptsTheBodyAndNoThreadRunsItAfterwards() {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean bodyExited = new AtomicBoolean();
        AtomicBoolean started = new AtomicBoolean();
        // the deadline runs from submission: on a loaded machine it can pass before the body has started (then
        // there is nothing to interrupt), so such a task is run again with a deadline twice as long
        for (Duration timeout = Duration.ofMillis(50); !started.get(); timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("slow").timeout(timeout)
                    .run(() -> {
                        started.set(true);
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                            return 1;
                        }
                        catch (InterruptedException ex) {
                            interrupted.set(true);
                            throw ex;
                        }
                        finally {
                            bodyExited.set(true);
                        }
                    });
            // (a run that fell short says so: "(0 attempts)", as it did when this test failed under load)
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class).hasMessage("task slow#" + task.id()
                    + " timed out after " + timeout + (started.get() ? " (1 attempt)" : " (0 attempts)"));
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        assertThat(interrupted).isTrue();
        assertThat(bodyExited).as("terminal only after the body returned").isTrue();
    }

    @Test
    void cancelInterruptsTheRunningBody() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean bodyExited = new AtomicBoolean();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
            try {
                started.countDown();
                Thread.sleep(Long.MAX_VALUE);
                return 1;
            }
            finally {
                bodyExited.set(true);
            }
        });
        started.await();
        assertThat(task.cancel()).isTrue();
        assertThat(task.cancel()).as("a second request: the task still ends CANCELLED (as CompletableFuture says)").isTrue();
        assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("was cancelled after 1 attempt: cancel() was called");
        assertThat(bodyExited).isTrue();
    }

    @Test
    void aTaskCancelledWhileQueuedNeverRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blockerRunning = new CountDownLatch(1);
        SpawningTask<Integer> blocker = orchestrator.to(Integer.class).runtime("single").run(() -> {
            blockerRunning.countDown();
            release.await();
            return 0;
        });
        blockerRunning.await();
        AtomicBoolean ran = new AtomicBoolean();
        SpawningTask<Integer> queued = orchestrator.to(Integer.class).runtime("single").run(() -> {
            ran.set(true);
            return 1;
        });
        assertThat(queued.status()).isEqualTo(TaskStatus.QUEUED);
        queued.cancel();
        assertThat(queued.result()).isInstanceOf(TaskResult.Err.class);
        release.countDown();
        assertThat(blocker.join()).isZero();
        orchestrator.to(Integer.class).runtime("single").await(() -> 2);
        assertThat(ran).isFalse();
        assertThat(queued.info().attempts()).isZero();
    }

    @Test
    void timeoutCoversAllAttemptsAndStopsRetrying() {
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<Integer> task = orchestrator.to(Integer.class)
                .timeout(Duration.ofSeconds(1)) // room for a second attempt on a loaded machine
                .retry(RetryPolicy.fixed(1_000_000, Duration.ofMillis(5)))
                .run(() -> {
                    attempts.incrementAndGet();
                    throw new IOException("flaky");
                });
        assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
        int seen = attempts.get();
        assertThat(seen).isGreaterThan(1).isLessThan(1_000_000);
        assertThat(task.info().attempts()).isEqualTo(seen);
    }

    @Test
    void aCancelledTaskIsNeverRetried() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<Integer> task = orchestrator.to(Integer.class)
                .retry(RetryPolicy.fixed(5, Duration.ZERO).retryOn(Exception.class))
                .run(() -> {
                    attempts.incrementAndGet();
                    started.countDown();
                    Thread.sleep(Long.MAX_VALUE);
                    return 1;
                });
        started.await();
        task.cancel();
        assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(attempts).hasValue(1);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void fallbackAppliesToTimeoutsButNotToCancellation() throws Exception {
        SpawningTask<String> timedOut = orchestrator.to(String.class).timeout(Duration.ofMillis(20))
                .fallback(error -> "default:" + error.getClass().getSimpleName())
                .run(Blocking.untilInterrupted());
        assertThat(timedOut.join()).isEqualTo("default:TaskTimeoutException");
        assertThat(timedOut.status()).isEqualTo(TaskStatus.TIMED_OUT);

        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<String> cancelled = orchestrator.to(String.class).fallback(error -> "default").run(Blocking.untilInterrupted(started));
        started.await();
        cancelled.cancel();
        assertThatThrownBy(cancelled::join).isInstanceOf(TaskCancelledException.class);
    }

    @Test
    void aBodyThatFinishesAfterCancelStillEndsCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            started.countDown();
            while (true) {
                try {
                    cancelled.await();
                    return "finished anyway";
                }
                catch (InterruptedException ignored) {
                    // this body ignores interrupts on purpose
                }
            }
        });
        started.await();
        assertThat(task.cancel()).isTrue();
        cancelled.countDown();
        assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
    }

    @Test
    void throwIfCancelledLetsCpuLoopsStop() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Long> task = orchestrator.to(Long.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            long spins = 0;
            started.countDown();
            while (true) {
                context.throwIfCancelled();
                spins++;
                if (spins == Long.MAX_VALUE) {
                    return spins;
                }
            }
        });
        started.await();
        task.cancel();
        assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
    }
}
