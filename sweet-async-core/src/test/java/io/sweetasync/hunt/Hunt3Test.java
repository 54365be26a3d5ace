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
class Hunt3Test {

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

    static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met");
            Thread.sleep(2);
        }
    }

    LimiterConfig fixed1(int queue) {
        return LimiterConfig.defaults().withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                .withQueueCapacity(queue).withMaxWait(Duration.ofSeconds(Long.MAX_VALUE));
    }

    @Test
    void waitingLowTakesPermitBeforeHighImmediateRetry() throws Exception {
        orch = TaskOrchestrator.builder().group("r", fixed1(10)).build();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger a = new AtomicInteger();
        SpawningTask<String> high = orch.to(String.class).named("high").group("r").priority(TaskPriority.HIGH)
                .retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                    int n = a.incrementAndGet();
                    order.add("high" + n);
                    if (n == 1) { release.await(); throw new IOException("x"); }
                    return "h";
                });
        waitFor(() -> a.get() == 1);
        SpawningTask<String> low = orch.to(String.class).named("low").group("r").priority(TaskPriority.LOW)
                .run(() -> { order.add("low"); Thread.sleep(20); return "l"; });
        waitFor(() -> group("r").queued() == 1);
        release.countDown();
        high.join();
        low.join();
        assertThat(order).containsExactly("high1", "low", "high2");
        awaitIdle("r");
    }

    @Test
    void queueFullDisplacement() throws Exception {
        orch = TaskOrchestrator.builder().group("d", fixed1(2)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<String> holder = orch.to(String.class).named("holder").group("d").run(() -> { holding.countDown(); release.await(); return "x"; });
        holding.await();
        SpawningTask<String> b1 = orch.to(String.class).named("b1").group("d").priority(TaskPriority.BACKGROUND).run(() -> "b1");
        SpawningTask<String> b2 = orch.to(String.class).named("b2").group("d").priority(TaskPriority.BACKGROUND).run(() -> "b2");
        waitFor(() -> group("d").queued() == 2);
        SpawningTask<String> c = orch.to(String.class).named("c").group("d").priority(TaskPriority.CRITICAL).run(() -> "c");
        TaskResult<String> rb2 = CompletableFuture.supplyAsync(b2::result).get(5, TimeUnit.SECONDS);
        assertThat(((TaskResult.Err<String>) rb2).error()).isInstanceOf(TaskRejectedException.class);
        SpawningTask<String> n = orch.to(String.class).named("n").group("d").priority(TaskPriority.NORMAL).run(() -> "n");
        TaskResult<String> rb1 = CompletableFuture.supplyAsync(b1::result).get(5, TimeUnit.SECONDS);
        assertThat(((TaskResult.Err<String>) rb1).error()).isInstanceOf(TaskRejectedException.class);
        SpawningTask<String> l = orch.to(String.class).named("l").group("d").priority(TaskPriority.LOW).run(() -> "l");
        TaskResult<String> rl = CompletableFuture.supplyAsync(l::result).get(5, TimeUnit.SECONDS);
        assertThat(((TaskResult.Err<String>) rl).error()).isInstanceOf(TaskRejectedException.class);
        release.countDown();
        assertThat(c.join()).isEqualTo("c");
        assertThat(n.join()).isEqualTo("n");
        holder.join();
        awaitIdle("d");
    }

    /** A body resuming from a managed wait goes over the limit; nothing more is granted until back below. */
    @Test
    void overLimitResumeGrantsNothingMore() throws Exception {
        orch = TaskOrchestrator.builder().group("o", fixed1(10)).build();
        CountDownLatch latch = new CountDownLatch(1);
        CountDownLatch aWaiting = new CountDownLatch(1);
        CountDownLatch cRunning = new CountDownLatch(1);
        CountDownLatch cRelease = new CountDownLatch(1);
        CountDownLatch aRelease = new CountDownLatch(1);
        AtomicBoolean aResumed = new AtomicBoolean();
        AtomicBoolean dRan = new AtomicBoolean();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        SpawningTask<String> a = orch.to(String.class).named("a").group("o").run(() -> {
            aWaiting.countDown();
            TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                public boolean block() throws InterruptedException { latch.await(); return true; }
                public boolean isReleasable() { return latch.getCount() == 0; }
            });
            aResumed.set(true);
            aRelease.await();
            return "a";
        });
        aWaiting.await();
        SpawningTask<String> c = orch.to(String.class).named("c").group("o").run(() -> { cRunning.countDown(); cRelease.await(); return "c"; });
        assertThat(cRunning.await(5, TimeUnit.SECONDS)).as("c runs while a lends its permit").isTrue();
        latch.countDown();
        waitFor(aResumed::get);
        SpawningTask<String> d = orch.to(String.class).named("d").group("o").run(() -> { dRan.set(true); return "d"; });
        Thread.sleep(100);
        assertThat(dRan).as("d granted while a and c over the limit").isFalse();
        cRelease.countDown();
        c.join();
        Thread.sleep(100);
        assertThat(dRan).as("d granted while a still runs (limit 1)").isFalse();
        aRelease.countDown();
        a.join();
        d.join();
        awaitIdle("o");
    }

    @Test
    void timedOutWhileQueuedDoesNotLeak() throws Exception {
        orch = TaskOrchestrator.builder().group("t", fixed1(10)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<String> holder = orch.to(String.class).named("holder").group("t").run(() -> { holding.countDown(); release.await(); return "x"; });
        holding.await();
        List<SpawningTask<String>> qs = new ArrayList<>();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            qs.add(orch.to(String.class).named("q").group("t").timeout(Duration.ofMillis(30)).run(() -> { ran.incrementAndGet(); return "q"; }));
        }
        SpawningTask<String> cancelled = orch.to(String.class).named("cq").group("t").run(() -> { ran.incrementAndGet(); return "q"; });
        Thread.sleep(10);
        assertThat(cancelled.cancel()).isTrue();
        for (SpawningTask<String> q : qs) {
            assertThat(CompletableFuture.supplyAsync(q::status).thenApply(s -> s).get()).isNotNull();
            q.result();
            assertThat(q.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        assertThat(group("t").queued()).isZero();
        release.countDown();
        holder.join();
        SpawningTask<String> after = orch.to(String.class).named("after").group("t").run(() -> "ok");
        assertThat(after.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(ran.get()).isZero();
        awaitIdle("t");
    }

    @Test
    void runawayKeepsPermitUntilReturn() throws Exception {
        orch = TaskOrchestrator.builder().group("ra", fixed1(10)).build();
        // The runaway's body ignores the timeout's interrupt and runs until this test lets it go (at most 20 s), so
        // no fixed body length races the test thread. Its deadline runs from submission: on a loaded machine it can
        // pass before the body has started (then there is no runaway, and d runs at once), so such a run is let go
        // and repeated with a deadline twice as long.
        AtomicLong bodyReturned = null;
        AtomicLong dStarted = null;
        CountDownLatch release = null;
        SpawningTask<String> r = null;
        SpawningTask<String> d = null;
        AtomicBoolean started = new AtomicBoolean();
        for (Duration timeout = Duration.ofMillis(50); !started.get(); timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            AtomicBoolean mineStarted = new AtomicBoolean();
            AtomicLong mineReturned = new AtomicLong();
            CountDownLatch mine = new CountDownLatch(1);
            r = orch.to(String.class).named("runaway").group("ra").timeout(timeout).run(() -> {
                mineStarted.set(true);
                long end = System.nanoTime() + 20_000_000_000L;
                while (mine.getCount() > 0 && System.nanoTime() < end) { Thread.onSpinWait(); }
                mineReturned.set(System.nanoTime());
                return "x";
            });
            AtomicLong mineDStarted = new AtomicLong();
            d = orch.to(String.class).named("d").group("ra").run(() -> { mineDStarted.set(System.nanoTime()); return "d"; });
            r.result();
            assertThat(r.status()).isEqualTo(TaskStatus.TIMED_OUT);
            bodyReturned = mineReturned;
            dStarted = mineDStarted;
            release = mine;
            if (mineStarted.get()) {
                started.set(true);
            }
            else { // no body yet (it may still start, or be about to set its flag): let it go, and its permit
                mine.countDown();
                d.join();
                awaitIdle("ra");
            }
        }
        assertThat(bodyReturned.get()).as("result() came while the runaway body still runs").isZero();
        // the runaway still holds the group's only permit: d is not admitted (given time to be, wrongly)
        assertThat(group("ra").inFlight()).isEqualTo(1);
        Thread.sleep(200);
        assertThat(dStarted.get()).as("d started while the runaway body still runs").isZero();
        assertThat(group("ra").inFlight()).isEqualTo(1);
        assertThat(bodyReturned.get()).isZero();
        release.countDown();
        assertThat(d.join()).isEqualTo("d");
        assertThat(bodyReturned.get()).isPositive();
        assertThat(dStarted.get()).isGreaterThanOrEqualTo(bodyReturned.get());
        awaitIdle("ra");
    }

    @Test
    void sequenceOrderUnderParallelRetriesAndBatches() throws Exception {
        orch = TaskOrchestrator.builder().build();
        // One list for every sender: receivers that starve for a tick grow the parallel senders (up to 3), and each
        // runs the body; sources are shared by identity, so a list made per call would be emitted once per sender.
        List<Long> source = java.util.stream.LongStream.range(0, 500).boxed().toList();
        for (ReceiverStrategy rs : List.of(ReceiverStrategy.parallel(8), ReceiverStrategy.batched(7, Duration.ofMillis(1)),
                ReceiverStrategy.adaptive(MinMax.of(1, 8)))) {
            Random rnd = new Random(1);
            FinalEvent<Long, Long> fe = orch.emits(Long.class).named("seq").sequence().bufferSize(8)
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(3, Duration.ZERO)))
                    .sender(SenderStrategy.parallel(MinMax.of(1, 3)), em -> em.emitAll(source))
                    .receiver(rs, (ev, col) -> {
                        if (ThreadLocalRandom.current().nextInt(10) == 0) throw new IOException("flaky");
                        if (ThreadLocalRandom.current().nextInt(5) == 0) Thread.sleep(1);
                        col.collect(ev.sequence(), ev.data());
                    })
                    .awaitFinalEvent();
            List<Long> keys = new ArrayList<>(fe.collected().keySet());
            List<Long> sorted = new ArrayList<>(keys);
            Collections.sort(sorted);
            assertThat(keys).as("order with " + rs).isEqualTo(sorted);
            assertThat(fe.emitted()).isEqualTo(500);
            assertThat(fe.received()).isEqualTo(500);
            assertThat(fe.collected().size() + fe.errors().size()).isEqualTo(500);
        }
    }
}
