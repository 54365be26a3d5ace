package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class PipelineStopRetryTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void noRetryStartsAfterStopOnFirst() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicInteger attempts0 = new AtomicInteger();
        AtomicLong firstFailedAt = new AtomicLong();
        CountDownLatch firstFailed = new CountDownLatch(1);
        // event 0's retry is due a second after its failure: the other worker's fatal failure (right after it) stops
        // the pipeline long before, even on a loaded machine (with 100 ms a slow second worker let the retry start
        // before the stop, rightly); the test then waits past the retry's due time, so a retry after the stop shows
        Duration retryDelay = Duration.ofSeconds(1);
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("stopretry")
                .errorStrategy(ErrorStrategy.stopOnFirst().withRetry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(5, retryDelay))))
                .sender(em -> { em.emit(0L); em.emit(1L); })
                .receiver(ReceiverStrategy.parallel(2), (ev, col) -> {
                    if (ev.data() == 0L) {
                        attempts0.incrementAndGet();
                        firstFailedAt.compareAndSet(0, System.nanoTime());
                        firstFailed.countDown();
                        throw new IOException("retry me");
                    }
                    firstFailed.await();
                    throw new IllegalStateException("fatal");
                })
                .run();
        TaskResult<FinalEvent<Long, Long>> r = CompletableFuture.supplyAsync(p::result).get(10, TimeUnit.SECONDS);
        assertThat(p.status()).isEqualTo(TaskStatus.FAILED);
        long retryDue = firstFailedAt.get() + retryDelay.toNanos();
        Thread.sleep(Math.max(0, (retryDue - System.nanoTime()) / 1_000_000) + 500);
        assertThat(attempts0.get()).isEqualTo(1);
        assertThat(((TaskResult.Err<?>) r).error().getCause()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cancelDuringEventRetryDelayEndsPromptly() throws Exception {
        orch = TaskOrchestrator.builder().build();
        CountDownLatch failed = new CountDownLatch(1);
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("canceldelay")
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(3, Duration.ofSeconds(Long.MAX_VALUE))))
                .sender(em -> em.emit(0L))
                .receiver((ev, col) -> { failed.countDown(); throw new IOException("x"); })
                .run();
        failed.await();
        Thread.sleep(50);
        assertThat(p.cancel()).isTrue();
        CompletableFuture.supplyAsync(p::result).get(5, TimeUnit.SECONDS);
        assertThat(p.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void timeoutDuringEventRetryDelay() throws Exception {
        orch = TaskOrchestrator.builder().build();
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("todelay").timeout(Duration.ofMillis(200))
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.exponential(30, Duration.ofMillis(50), Duration.ofSeconds(Long.MAX_VALUE))))
                .sender(em -> em.emit(0L))
                .receiver((ev, col) -> { throw new IOException("x"); })
                .run();
        CompletableFuture.supplyAsync(p::result).get(5, TimeUnit.SECONDS);
        assertThat(p.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }
}
