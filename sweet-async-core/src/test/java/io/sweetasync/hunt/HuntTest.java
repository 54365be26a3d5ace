package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 120)
class HuntTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    static boolean terminal(TaskStatus s) {
        return s == TaskStatus.COMPLETED || s == TaskStatus.FAILED || s == TaskStatus.CANCELLED || s == TaskStatus.TIMED_OUT;
    }

    /** cancel() racing a body returning: all views agree. */
    @Test
    void cancelRacingCompletionAllViewsAgree() throws Exception {
        Map<TaskId, TaskStatus> seen = new ConcurrentHashMap<>();
        orch = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override public void onFinished(TaskInfo t) { seen.put(t.id(), t.status()); }
        }).build();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            CountDownLatch go = new CountDownLatch(1);
            int mode = i % 3;
            SpawningTask<Integer> t = orch.to(Integer.class).named("race").run(() -> {
                go.await();
                if (mode == 1) throw new IOException("x");
                if (mode == 2) { Thread.onSpinWait(); }
                return 1;
            });
            CompletableFuture<Integer> cf = t.toCompletableFuture();
            go.countDown();
            boolean c = t.cancel();
            TaskResult<Integer> r = t.result();
            TaskStatus st = t.status();
            boolean cfCancelled;
            try { cf.get(5, TimeUnit.SECONDS); cfCancelled = false; }
            catch (ExecutionException e) { cfCancelled = e.getCause() instanceof TaskCancelledException; }
            catch (CancellationException e) { cfCancelled = true; }
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!seen.containsKey(t.id()) && System.nanoTime() < deadline) Thread.sleep(1);
            TaskStatus ls = seen.get(t.id());
            boolean rCancelled = r instanceof TaskResult.Err<Integer> e && e.error() instanceof TaskCancelledException;
            if (c != (st == TaskStatus.CANCELLED) || c != rCancelled || c != cfCancelled || ls != st || c != t.isCancelled()) {
                bad.add("i=" + i + " cancel=" + c + " status=" + st + " result=" + r + " cf=" + cfCancelled + " listener=" + ls + " isCancelled=" + t.isCancelled());
            }
        }
        assertThat(bad).isEmpty();
    }

    /** A body that swallows the timeout's interrupt and throws a retryable error must not be retried. */
    @Test
    void timedOutBodyThrowingRetryableIsNotRetried() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicInteger attempts = new AtomicInteger();
        // the deadline runs from submission: on a loaded machine it can pass before the body has started (then
        // there is no attempt at all), so such a task is run again with a deadline twice as long
        for (Duration timeout = Duration.ofMillis(50); attempts.get() == 0; timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            AtomicInteger mine = new AtomicInteger();
            SpawningTask<String> t = orch.to(String.class).named("swallow")
                    .timeout(timeout)
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(5, Duration.ZERO)))
                    .run(() -> {
                        mine.incrementAndGet();
                        try { Thread.sleep(10_000); } catch (InterruptedException e) { throw new IOException("swallowed"); }
                        return "x";
                    });
            TaskResult<String> r = t.result();
            Thread.sleep(300);
            assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
            attempts.set(mine.get());
        }
        assertThat(attempts.get()).isEqualTo(1);
    }

    /** chain on a timed out task: passes through unchanged. */
    @Test
    void chainOfTimedOutPassesThrough() {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> t = orch.to(String.class).named("slow").timeout(Duration.ofMillis(30))
                .run(() -> { Thread.sleep(10_000); return "x"; });
        SpawningTask<Integer> c = t.chain(String::length);
        TaskResult<Integer> r = c.result();
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(r.isOk()).isFalse();
        assertThat(c.status()).as("chain status").isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(((TaskResult.Err<Integer>) r).error()).isInstanceOf(TaskTimeoutException.class);
    }

    /** Group permits never leak under a storm of cancels, timeouts, retries and nested waits. */
    @Test
    void groupPermitsDoNotLeakUnderStorm() throws Exception {
        orch = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withLimits(3, 1, 3).withQueueCapacity(10).withMaxWait(Duration.ofMillis(50)))
                .build();
        List<SpawningTask<?>> all = Collections.synchronizedList(new ArrayList<>());
        ExecutorService cancellers = Executors.newFixedThreadPool(4);
        Random rnd = new Random(42);
        for (int i = 0; i < 600; i++) {
            int k = rnd.nextInt(6);
            SpawningTaskBuilder<Integer> b = orch.to(Integer.class).named("s").group("g")
                    .priority(TaskPriority.values()[rnd.nextInt(5)]);
            if (k == 0) b = b.timeout(Duration.ofMillis(1 + rnd.nextInt(5)));
            if (k == 1) b = b.retry(RetryPolicy.fixed(3, Duration.ofMillis(1)));
            int kk = k;
            SpawningTask<Integer> t = b.run(() -> {
                if (kk == 1) throw new IOException("retry me");
                if (kk == 2) {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    SpawningTask<Integer> ch = ctx.child(Integer.class).group("g").run(() -> { Thread.sleep(1); return 1; });
                    return ch.join();
                }
                if (kk == 3) {
                    long end = System.nanoTime() + 2_000_000;
                    while (System.nanoTime() < end) { } // ignores interrupts briefly
                    return 1;
                }
                Thread.sleep(rnd.nextInt(3));
                return 1;
            });
            all.add(t);
            if (rnd.nextBoolean()) {
                int delay = rnd.nextInt(3);
                cancellers.submit(() -> { try { Thread.sleep(delay); } catch (InterruptedException e) { } t.cancel(); });
            }
        }
        cancellers.shutdown();
        assertThat(cancellers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        for (SpawningTask<?> t : all) t.result();
        long deadline = System.nanoTime() + 5_000_000_000L;
        LimiterSnapshot s;
        do {
            s = orch.limiters().stream().filter(x -> x.group().equals("g")).findFirst().orElseThrow();
            if (s.inFlight() == 0 && s.queued() == 0) break;
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        assertThat(s.inFlight()).as("inFlight").isZero();
        assertThat(s.queued()).as("queued").isZero();
        assertThat(orch.liveCount()).isZero();
    }

    /** Children created from another thread while the parent is cancelled: none escapes. */
    @Test
    void childrenCreatedFromOtherThreadDuringCancel() throws Exception {
        orch = TaskOrchestrator.builder().build();
        for (int round = 0; round < 20; round++) {
            CompletableFuture<TaskContext> ctxF = new CompletableFuture<>();
            SpawningTask<Integer> parent = orch.to(Integer.class).named("p").run(() -> {
                ctxF.complete(TaskContext.current().orElseThrow());
                Thread.sleep(60_000);
                return 1;
            });
            TaskContext ctx = ctxF.get();
            List<SpawningTask<Integer>> kids = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(2);
            List<Thread> makers = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                makers.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    while (!stop.get() && kids.size() < 2_000) { // a bound: each is awaited below
                        try {
                            kids.add(ctx.child(Integer.class).named("k").run(() -> { Thread.sleep(60_000); return 2; }));
                        } catch (IllegalStateException e) {
                            // refused: fine
                        } catch (RuntimeException e) {
                            // other refusals
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(2);
            assertThat(parent.cancel()).isTrue();
            parent.result();
            Thread.sleep(5);
            stop.set(true);
            for (Thread t : makers) t.join();
            for (SpawningTask<Integer> k : kids) {
                TaskResult<Integer> r = CompletableFuture.supplyAsync(k::result).get(10, TimeUnit.SECONDS);
                assertThat(r.isOk()).isFalse();
            }
            assertThat(orch.liveCount()).as("live after round " + round).isZero();
        }
    }

    /** single runtime: nested joins chain through several levels and siblings. */
    @Test
    void singleRuntimeNestedJoins() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<Integer> root = orch.to(Integer.class).named("r").runtime("single").run(() -> {
            TaskContext c = TaskContext.current().orElseThrow();
            SpawningTask<Integer> a = c.child(Integer.class).named("a").run(() -> {
                TaskContext c2 = TaskContext.current().orElseThrow();
                SpawningTask<Integer> b = c2.child(Integer.class).named("b").run(() -> 1);
                return b.toCompletableFuture().thenApply(x -> x + 1).join();
            });
            SpawningTask<Integer> d = orch.to(Integer.class).named("d").runtime("platform").detached()
                    .run(() -> a.get() + 10);
            SpawningTask<Integer> e = c.child(Integer.class).named("e").runtime("single").after(a)
                    .run(() -> d.join() + a.join());
            return e.get(30, TimeUnit.SECONDS);
        });
        assertThat(root.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(14);
    }
}
