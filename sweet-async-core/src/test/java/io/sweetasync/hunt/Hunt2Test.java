package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class Hunt2Test {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    LimiterSnapshot group(String g) {
        return orch.limiters().stream().filter(x -> x.group().equals(g)).findFirst().orElseThrow();
    }

    void awaitIdle(String g) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            LimiterSnapshot s = group(g);
            if (s.inFlight() == 0 && s.queued() == 0) return;
            Thread.sleep(10);
        }
        LimiterSnapshot s = group(g);
        assertThat(s.inFlight()).as("inFlight " + s).isZero();
        assertThat(s.queued()).as("queued " + s).isZero();
    }

    @Test
    void hugeRetryDelayThenCancelEndsPromptly() throws Exception {
        orch = TaskOrchestrator.builder().build();
        CountDownLatch failed = new CountDownLatch(1);
        SpawningTask<String> t = orch.to(String.class).named("huge")
                .retry(RetryPolicy.exponential(3, Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE)).withJitter(1.0))
                .run(() -> { failed.countDown(); throw new IOException("x"); });
        failed.await();
        Thread.sleep(50);
        assertThat(t.cancel()).isTrue();
        assertThat(CompletableFuture.supplyAsync(t::result).get(5, TimeUnit.SECONDS).isOk()).isFalse();
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void hugeRetryDelayTimesOut() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> t = orch.to(String.class).named("huge2").timeout(Duration.ofMillis(100))
                .retry(RetryPolicy.fixed(3, Duration.ofDays(365L * 99)).withJitter(1.0))
                .fallback(e -> "fb")
                .run(() -> { throw new IOException("x"); });
        assertThat(t.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("fb");
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }

    @Test
    void afterNeverEndingDependencyTimesOutToFallback() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> dep = orch.to(String.class).named("dep").run(() -> { Thread.sleep(60_000); return "d"; });
        AtomicBoolean ran = new AtomicBoolean();
        SpawningTask<String> t = orch.to(String.class).named("after").timeout(Duration.ofMillis(100)).after(dep)
                .fallback(e -> "fb").run(() -> { ran.set(true); return "x"; });
        assertThat(t.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("fb");
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(ran).isFalse();
        dep.cancel();
    }

    @Test
    void onStartedJoiningOwnTaskDoesNotHangTheTask() throws Exception {
        CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
        AtomicReference<Throwable> inListener = new AtomicReference<>();
        orch = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override public void onStarted(TaskInfo task) {
                if (!task.name().equals("self")) return;
                try {
                    handle.get().join();
                } catch (Throwable e) {
                    inListener.set(e);
                }
            }
        }).build();
        long t0 = System.nanoTime();
        SpawningTask<String> t = orch.to(String.class).named("self").run(() -> "x");
        handle.complete(t);
        assertThat(t.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("x");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("onStarted self-join: " + ms + " ms, listener saw " + inListener.get());
        assertThat(inListener.get()).as("listener's wait for its own task").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onRetryingCancellingTheTask() throws Exception {
        CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
        AtomicReference<Boolean> cancelled = new AtomicReference<>();
        orch = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                try { cancelled.set(handle.get().cancel()); } catch (Exception e) { throw new RuntimeException(e); }
            }
        }).build();
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> t = orch.to(String.class).named("rc").retry(RetryPolicy.fixed(5, Duration.ZERO))
                .run(() -> { handle.get(); attempts.incrementAndGet(); throw new IOException("x"); });
        handle.complete(t);
        TaskResult<String> r = CompletableFuture.supplyAsync(t::result).get(10, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(t.status() == TaskStatus.CANCELLED).isEqualTo(cancelled.get());
    }

    @Test
    void senderThrowsFailsPipeline() throws Exception {
        orch = TaskOrchestrator.builder().build();
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("sthrow")
                .sender(em -> { em.emit(1L); em.emit(2L); throw new IOException("sender broke"); })
                .receiver((ev, col) -> col.collect(ev.sequence(), ev.data()))
                .run();
        TaskResult<FinalEvent<Long, Long>> r = CompletableFuture.supplyAsync(p::result).get(10, TimeUnit.SECONDS);
        // documented: continueOnError records a sender's error in errors()
        assertThat(p.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(r.orElseThrow().errors()).hasSize(1);
        assertThat(r.orElseThrow().received()).isEqualTo(2);
    }

    @Test
    void pipelineInGroupCancelStormReturnsPermits() throws Exception {
        orch = TaskOrchestrator.builder()
                .group("pg", LimiterConfig.defaults().withLimits(2, 1, 2).withQueueCapacity(3).withMaxWait(Duration.ofMillis(20)))
                .build();
        Random rnd = new Random(7);
        List<EmittingTask<Long, Long>> ps = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int strat = i % 4;
            ReceiverStrategy rs = switch (strat) {
                case 0 -> ReceiverStrategy.parallel(4);
                case 1 -> ReceiverStrategy.batched(5, Duration.ofMillis(2));
                case 2 -> ReceiverStrategy.adaptive(MinMax.of(1, 4));
                default -> ReceiverStrategy.serial();
            };
            ErrorStrategy es = i % 2 == 0 ? ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(1)))
                    : ErrorStrategy.stopOnFirst();
            EmittingTask<Long, Long> p = orch.emits(Long.class).named("pp").group("pg").bufferSize(4).errorStrategy(es)
                    .sender(em -> { for (long k = 0; k < 200; k++) em.emit(k); })
                    .receiver(rs, (ev, col) -> {
                        if (ev.sequence() % 17 == 3) throw new IOException("bad");
                        if (ev.sequence() % 5 == 0) { long e = System.nanoTime() + 300_000; while (System.nanoTime() < e) { } }
                        else Thread.sleep(1);
                        col.collect(ev.sequence(), ev.data());
                    })
                    .run();
            ps.add(p);
        }
        for (EmittingTask<Long, Long> p : ps) { Thread.sleep(rnd.nextInt(5)); p.cancel(); }
        for (EmittingTask<Long, Long> p : ps) CompletableFuture.supplyAsync(p::result).get(20, TimeUnit.SECONDS);
        awaitIdle("pg");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (orch.liveCount() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(orch.liveCount()).isZero();
    }

    @Test
    void emitBlockedOnFullBufferThrowsOnCancel() throws Exception {
        orch = TaskOrchestrator.builder().build();
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicReference<Throwable> emitError = new AtomicReference<>();
        AtomicLong accepted = new AtomicLong();
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("full").bufferSize(1)
                .sender(em -> {
                    try {
                        for (long k = 0; k < 1000; k++) { em.emit(k); accepted.incrementAndGet(); if (k == 5) blocked.countDown(); }
                    } catch (Throwable e) { emitError.set(e); throw e; }
                })
                .receiver((ev, col) -> { Thread.sleep(60_000); col.collect(ev.sequence(), ev.data()); })
                .run();
        assertThat(blocked.await(200, TimeUnit.MILLISECONDS)).as("sender should block before emitting 6").isFalse();
        assertThat(p.cancel()).isTrue();
        CompletableFuture.supplyAsync(p::result).get(10, TimeUnit.SECONDS);
        assertThat(p.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(accepted.get()).isLessThanOrEqualTo(3);
    }

    @Test
    void shutdownWithHugeMaxWaitQueue() throws Exception {
        orch = TaskOrchestrator.builder()
                .group("sg", LimiterConfig.defaults().withLimits(1, 1, 1).withQueueCapacity(50).withMaxWait(Duration.ofSeconds(Long.MAX_VALUE)))
                .build();
        List<SpawningTask<Integer>> ts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ts.add(orch.to(Integer.class).named("q").group("sg").run(() -> { Thread.sleep(60_000); return 1; }));
        }
        Thread.sleep(50);
        boolean all = orch.shutdown(Duration.ofMillis(100));
        assertThat(all).isFalse();
        for (SpawningTask<Integer> t : ts) {
            CompletableFuture.supplyAsync(t::result).get(5, TimeUnit.SECONDS);
            assertThat(t.isDone()).isTrue();
        }
        awaitIdle("sg");
    }

    @Test
    void singleRuntimePriorityOrder() throws Exception {
        orch = TaskOrchestrator.builder().build();
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<Integer> blocker = orch.to(Integer.class).named("block").runtime("single")
                .run(() -> { holding.countDown(); hold.await(); return 0; });
        holding.await();
        List<TaskPriority> order = Collections.synchronizedList(new ArrayList<>());
        List<SpawningTask<Integer>> ts = new ArrayList<>();
        for (TaskPriority p : new TaskPriority[] {TaskPriority.LOW, TaskPriority.BACKGROUND, TaskPriority.NORMAL, TaskPriority.CRITICAL, TaskPriority.HIGH}) {
            ts.add(orch.to(Integer.class).named("p").runtime("single").priority(p).run(() -> { order.add(p); return 1; }));
        }
        Thread.sleep(50);
        hold.countDown();
        for (SpawningTask<Integer> t : ts) t.join();
        assertThat(order).containsExactly(TaskPriority.CRITICAL, TaskPriority.HIGH, TaskPriority.NORMAL, TaskPriority.LOW, TaskPriority.BACKGROUND);
    }
}
