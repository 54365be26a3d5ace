package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.emit.EmittingTask;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Review10ProbeTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** Spin until the latch opens, ignoring interrupts (a runaway body). */
    static void deaf(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            }
            catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void p01_childStartedByACancelledButRunningParentIsCancelledAndNeverRuns() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean childRan = new AtomicBoolean();
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).named("p").run(() -> {
            started.countDown();
            deaf(cancelled);
            try {
                child.set(TaskContext.current().orElseThrow().runChild(() -> {
                    childRan.set(true);
                    return 1;
                }));
            }
            catch (Throwable t) {
                thrown.set(t);
            }
            return "x";
        });
        started.await();
        assertThat(parent.cancel()).isTrue();
        cancelled.countDown();
        assertThat(parent.result().isOk()).isFalse();
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        if (thrown.get() == null) {
            assertThat(child.get().result().isOk()).isFalse();
            assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        }
        assertThat(childRan).isFalse();
    }

    @Test
    void p02_runawayParentCannotAddChildren() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Object> outcome = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean childRan = new AtomicBoolean();
        SpawningTask<String> parent = orchestrator.to(String.class).named("p").timeout(Duration.ofMillis(200)).run(() -> {
            deaf(release);
            try {
                SpawningTask<Integer> c = AsyncTask.current().orElseThrow().runChild(() -> {
                    childRan.set(true);
                    return 1;
                });
                outcome.set(c);
            }
            catch (Throwable t) {
                outcome.set(t);
            }
            done.countDown();
            return "x";
        });
        assertThatThrownBy(parent::join).isInstanceOf(TaskTimeoutException.class);
        release.countDown();
        done.await();
        if (outcome.get() instanceof SpawningTask<?> c) {
            c.result();
            assertThat(c.status()).as("child of a finished parent").isEqualTo(TaskStatus.CANCELLED);
            assertThat(childRan).isFalse();
        }
        else {
            assertThat(outcome.get()).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void p03_getWithHugeAndNegativeTimeouts() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
            go.await();
            return 7;
        });
        assertThatThrownBy(() -> task.get(-5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> task.get(0, TimeUnit.NANOSECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> task.get(Long.MIN_VALUE, TimeUnit.DAYS)).isInstanceOf(TimeoutException.class);
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return task.get(Long.MAX_VALUE, TimeUnit.DAYS);
            }
            catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        go.countDown();
        assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void p04_cfGetWithHugeTimeoutFromInsideABody() throws Exception {
        SpawningTask<Integer> other = orchestrator.to(Integer.class).run(() -> {
            Thread.sleep(50);
            return 5;
        });
        int v = orchestrator.to(Integer.class).runtime("platform").await(() ->
                other.toCompletableFuture().get(Long.MAX_VALUE, TimeUnit.NANOSECONDS)
                        + other.get(Long.MAX_VALUE, TimeUnit.DAYS)
                        + other.toCompletableFuture().thenApply(x -> x).get(Long.MAX_VALUE, TimeUnit.DAYS));
        assertThat(v).isEqualTo(15);
    }

    @Test
    void p05_shutdownWithRunawayReturnsFalse() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().build();
        // its cancel then waits 200 ms instead of 5 s for the deaf body: it still runs after either
        o.parts().shutdown.afterCancelNanos = TimeUnit.MILLISECONDS.toNanos(200);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try {
            o.to(String.class).run(() -> {
                started.countDown();
                deaf(release);
                return "x";
            });
            started.await();
            assertThat(o.shutdown(Duration.ofMillis(300))).as("a body still runs").isFalse();
        }
        finally {
            release.countDown();
            o.close();
        }
    }

    @Test
    void p06_shutdownHugeGraceNothingRunning() {
        TaskOrchestrator o = TaskOrchestrator.builder().build();
        try {
            o.to(Integer.class).await(() -> 1);
            assertThat(o.shutdown(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))).isTrue();
        }
        finally {
            o.close();
        }
    }

    @Test
    void p07_chainOfTimedOutTaskPassesThroughAndCancelResultAgrees() {
        SpawningTask<Integer> up = orchestrator.to(Integer.class).timeout(Duration.ofMillis(100)).run(() -> {
            Thread.sleep(60_000);
            return 1;
        });
        SpawningTask<Integer> next = up.chain(x -> x + 1);
        assertThatThrownBy(next::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(next.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(next.cancel()).isFalse();
        assertThat(next.isCancelled()).isFalse();
        assertThatThrownBy(next::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TaskTimeoutException.class);
        assertThat(next.toCompletableFuture()).isCompletedExceptionally();
        assertThat(next.toCompletableFuture().isCancelled()).isFalse();
    }

    @Test
    void p08_bodyThrowingAChildsTimeoutIsRetriedAsAFailure() {
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<Integer> t = orchestrator.to(Integer.class).retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
            attempts.incrementAndGet();
            SpawningTask<Integer> c = TaskContext.current().orElseThrow().child(Integer.class)
                    .timeout(Duration.ofMillis(20)).run(() -> {
                        Thread.sleep(60_000);
                        return 1;
                    });
            return c.join();
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(TaskTimeoutException.class);
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void p09_joinChildrenOrderWithFailuresAndCancellations() {
        List<TaskResult<?>> results = orchestrator.to(Object.class).<List<TaskResult<?>>>awaitResult(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            CountDownLatch never = new CountDownLatch(1);
            SpawningTask<Integer> a = ctx.runChild(() -> {
                Thread.sleep(100);
                return 1;
            });
            SpawningTask<Integer> b = ctx.runChild(() -> {
                throw new IOException("b");
            });
            SpawningTask<Integer> c = ctx.runChild(() -> {
                never.await();
                return 3;
            });
            SpawningTask<Integer> d = ctx.runChild(() -> 4);
            c.cancel();
            return ctx.joinChildren();
        }, r -> {
            @SuppressWarnings("unchecked")
            List<TaskResult<?>> l = (List<TaskResult<?>>) r.orElseThrow();
            return l;
        });
        assertThat(results).hasSize(4);
        assertThat(results.get(0)).isEqualTo(TaskResult.ok(1));
        assertThat(((TaskResult.Err<?>) results.get(1)).error()).isInstanceOf(TaskFailedException.class);
        assertThat(((TaskResult.Err<?>) results.get(2)).error()).isInstanceOf(TaskCancelledException.class);
        assertThat(results.get(3)).isEqualTo(TaskResult.ok(4));
    }

    @Test
    void p10_taskContextEmptyInCompletionCallbacksAndFallbacks() throws Exception {
        AtomicReference<Optional<TaskContext>> inCallback = new AtomicReference<>();
        AtomicReference<Optional<TaskContext>> inFallback = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            go.await();
            return 1;
        });
        CompletableFuture<Integer> cb = t.toCompletableFuture().thenApply(x -> {
            inCallback.set(TaskContext.current());
            return x;
        });
        go.countDown();
        cb.get(30, TimeUnit.SECONDS);
        assertThat(inCallback.get()).isEmpty();
        orchestrator.to(Integer.class).fallback(e -> {
            inFallback.set(TaskContext.current());
            return 0;
        }).await(() -> {
            throw new IOException("x");
        });
        assertThat(inFallback.get()).isEmpty();
        assertThat(TaskContext.current()).isEmpty();
        assertThat(AsyncTask.current()).isEmpty();
    }

    @Test
    void p11_batchedReceiverWithHugeDelayFlushesWhenSenderEnds() {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .sender(SenderStrategy.serial(), em -> em.emitAll(List.of(1, 2, 3)))
                .receiver(ReceiverStrategy.batched(100, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)),
                        (ev, col) -> col.collect(ev.data(), ev.data() * 10))
                .awaitFinalEvent();
        assertThat(done.collected()).hasSize(3);
        assertThat(done.emitted()).isEqualTo(3);
        assertThat(done.received()).isEqualTo(3);
    }

    @Test
    void p12_pipelineTimeoutShorterThanEventRetryDelay() {
        EmittingTask<Integer, Integer> p = orchestrator.emits(Integer.class)
                .timeout(Duration.ofMillis(300))
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(3, Duration.ofDays(3650))))
                .sender(SenderStrategy.serial(), em -> em.emitAll(List.of(1, 2, 3)))
                .receiver(ReceiverStrategy.parallel(2), (ev, col) -> {
                    throw new IOException("e" + ev.data());
                })
                .run();
        assertThatThrownBy(p::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(p.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(p.finalEvent()).isCompletedExceptionally();
    }

    @Test
    void p13_senderThrowingMidStream() {
        EmittingTask<Integer, Integer> p = orchestrator.emits(Integer.class)
                .sender(SenderStrategy.serial(), em -> {
                    em.emit(1);
                    em.emit(2);
                    throw new IOException("source broke");
                })
                .receiver(ReceiverStrategy.serial(), (ev, col) -> col.collect(ev.data(), ev.data()))
                .run();
        // Sender's javadoc: a sender's error is recorded (continueOnError) and the events already emitted are received
        FinalEvent<Integer, Integer> done = p.join();
        assertThat(p.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.received()).isEqualTo(2);
        assertThat(done.collected()).containsOnlyKeys(1, 2);
        assertThat(done.errors()).singleElement().satisfies(e -> {
            assertThat(e.sequence()).isEqualTo(-1);
            assertThat(e.error()).isInstanceOf(IOException.class).hasMessage("source broke");
        });
    }

    @Test
    void p14_reusedReceivingStageRunsTwiceIndependently() {
        var stage = orchestrator.emits(Integer.class).named("twice").sequence()
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 50).boxed()))
                .receiver(ReceiverStrategy.parallel(3), (ev, col) -> col.collect(ev.sequence(), ev.data()));
        FinalEvent<Long, Integer> a = stage.awaitFinalEvent();
        FinalEvent<Long, Integer> b = stage.awaitFinalEvent();
        assertThat(a.collected()).hasSize(50);
        assertThat(b.collected()).hasSize(50);
        assertThat(b.emitted()).isEqualTo(50);
    }

    @Test
    void p15_stopOnFirstReceiverThrowsFailsWithTheError() {
        EmittingTask<Integer, Integer> p = orchestrator.emits(Integer.class)
                .errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 10_000).boxed()))
                .receiver(ReceiverStrategy.parallel(4), (ev, col) -> {
                    if (ev.data() == 5) {
                        throw new IllegalStateException("bad 5");
                    }
                    col.collect(ev.data(), ev.data());
                })
                .run();
        assertThatThrownBy(p::join).isInstanceOf(TaskFailedException.class).hasRootCauseMessage("bad 5");
        assertThat(p.status()).isEqualTo(TaskStatus.FAILED);
        assertThatThrownBy(() -> p.finalEvent().join()).hasRootCauseMessage("bad 5");
    }

    @Test
    void p16_retryRulesCountAllAttempts() {
        AtomicInteger attempts = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.when(IllegalStateException.class, RetryPolicy.fixed(1, Duration.ZERO))
                .when(IOException.class, RetryPolicy.fixed(5, Duration.ZERO));
        SpawningTask<Integer> t = orchestrator.to(Integer.class).retry(policy).run(() -> {
            int n = attempts.incrementAndGet();
            if (n <= 3) {
                throw new IOException("io " + n);
            }
            throw new IllegalStateException("ise " + n);
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class);
        // documented: attempt numbers count all attempts: ISE at attempt 4 > 1 -> not retried
        assertThat(attempts).hasValue(4);
    }

    @Test
    void p17_timeoutWithHugeDurationAndRetryDelayTimeoutShorter() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class)
                .timeout(Duration.ofMillis(200))
                .retry(RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE),
                        Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).withJitter(1.0))
                .run(() -> {
                    throw new IOException("x");
                });
        assertThatThrownBy(t::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(t.info().attempts()).isEqualTo(1);
    }
}
