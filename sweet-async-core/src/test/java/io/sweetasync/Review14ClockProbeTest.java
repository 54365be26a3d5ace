package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deadlines, delays and fallbacks under hostile inputs and races that held (review 14): huge, zero and negative
 * durations, a timeout racing the body's end and a cancel, retry delays racing the deadline, fallbacks that return
 * null, throw or leave an interrupt, and close() while callbacks block or delays are pending.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review14ClockProbeTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<TaskOrchestrator> made = new ArrayList<>();

    @AfterEach
    void close() {
        release.countDown();
        made.forEach(TaskOrchestrator::close);
    }

    private TaskOrchestrator orchestrator() {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("one")).build();
        made.add(o);
        return o;
    }

    private void block() {
        try {
            release.await(200, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void hugeDurations() {
        TaskOrchestrator o = orchestrator();
        for (Duration d : List.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE),
                Duration.ofDays(36_524), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))) {
            assertThat(o.to(String.class).timeout(d).run(() -> "ok").join()).isEqualTo("ok");
            AtomicInteger attempts = new AtomicInteger();
            SpawningTask<String> retried = o.to(String.class).retry(RetryPolicy.fixed(1, d).withJitter(1))
                    .run(() -> {
                        attempts.incrementAndGet();
                        throw new IllegalStateException("x");
                    });
            org.awaitility.Awaitility.await().until(() -> attempts.get() == 1);
            assertThat(retried.cancel()).isTrue();
            SpawningTask<String> exp = o.to(String.class)
                    .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), d).withJitter(1)).run(() -> "e");
            assertThat(exp.join()).isEqualTo("e");
        }
        for (int i = 0; i < 200; i++) {
            RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofNanos(1), Duration.ofSeconds(Long.MAX_VALUE))
                    .withJitter(1).nextDelay(1 + i * 10_000_000, new IllegalStateException(), 0.999);
        }
    }

    @Test
    void zeroAndNegativeTimeouts() {
        TaskOrchestrator o = orchestrator();
        for (Duration d : List.of(Duration.ZERO, Duration.ofNanos(1), Duration.ofNanos(-1), Duration.ofSeconds(-5),
                Duration.ofSeconds(Long.MIN_VALUE))) {
            SpawningTask<String> t;
            try {
                t = o.to(String.class).timeout(d).run(() -> {
                    Thread.sleep(10_000);
                    return "ok";
                });
            }
            catch (IllegalArgumentException ex) {
                assertThat(d.isPositive()).isFalse();
                assertThat(ex.getMessage()).contains("timeout must be positive").contains(d.toString());
                continue;
            }
            assertThat(t.result()).isInstanceOf(TaskResult.Err.class);
            assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        for (Duration d : List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(Long.MIN_VALUE))) {
            try {
                RetryPolicy.fixed(1, d);
                assertThat(d.isNegative()).isFalse();
            }
            catch (IllegalArgumentException ex) {
                assertThat(d.isNegative()).isTrue();
                assertThat(ex.getMessage()).contains(d.toString());
            }
        }
    }

    @Test
    void timeoutRacingCompletionEndsOnce() {
        TaskOrchestrator o = orchestrator();
        Map<TaskId, AtomicInteger> finished = new ConcurrentHashMap<>();
        o.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finished.computeIfAbsent(task.id(), k -> new AtomicInteger()).incrementAndGet();
            }
        });
        List<SpawningTask<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int spin = i % 7;
            SpawningTaskBuilder<String> b = o.to(String.class).timeout(Duration.ofNanos(1 + (i % 5) * 200_000L));
            if (i % 2 == 0) {
                b = b.fallback(e -> "fb");
            }
            tasks.add(b.run(() -> {
                long end = System.nanoTime() + spin * 100_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return "body";
            }));
            if (i % 3 == 0) {
                tasks.get(i).cancel();
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            SpawningTask<String> t = tasks.get(i);
            TaskResult<String> r = t.result();
            TaskStatus s = t.status();
            TaskResult<String> r2 = t.result();
            assertThat(r2).isSameAs(r);
            switch (s) {
                case COMPLETED -> assertThat(r).isEqualTo(TaskResult.ok("body"));
                case TIMED_OUT -> {
                    if (i % 2 == 0) {
                        assertThat(r).isEqualTo(TaskResult.ok("fb"));
                    }
                    else {
                        assertThat(r).isInstanceOf(TaskResult.Err.class);
                        assertThat(((TaskResult.Err<String>) r).error()).isInstanceOf(TaskTimeoutException.class);
                    }
                }
                case CANCELLED -> {
                    assertThat(r).isInstanceOf(TaskResult.Err.class);
                    assertThat(t.isCancelled()).isTrue();
                }
                default -> throw new AssertionError(t.info() + " " + r);
            }
            assertThat(t.toCompletableFuture().isCompletedExceptionally()).isEqualTo(r instanceof TaskResult.Err);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> tasks.stream().allMatch(t -> finished.containsKey(t.id())));
        assertThat(finished.values()).allMatch(c -> c.get() == 1);

    }

    @Test
    void cancelRacingTimeoutAgreesWithStatus() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (int i = 0; i < 2000; i++) {
            SpawningTask<String> t = o.to(String.class).timeout(Duration.ofNanos(1 + (i % 10) * 50_000L)).run(() -> {
                Thread.sleep(10_000);
                return "x";
            });
            long end = System.nanoTime() + (i % 10) * 50_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            boolean won = t.cancel();
            t.result();
            assertThat(t.status() == TaskStatus.CANCELLED).as("cancel() %s, status %s", won, t.status()).isEqualTo(won);
            assertThat(t.isDone()).isTrue();
        }
    }

    @Test
    void fallbacksThatThrowOrReturnNull() {
        TaskOrchestrator o = orchestrator();
        SpawningTask<String> nul = o.to(String.class).timeout(Duration.ofMillis(10)).fallback(e -> null).run(() -> {
            Thread.sleep(10_000);
            return "x";
        });
        assertThat(nul.result()).isEqualTo(TaskResult.ok(null));
        assertThat(nul.status()).isEqualTo(TaskStatus.TIMED_OUT);
        SpawningTask<String> thr = o.to(String.class).timeout(Duration.ofMillis(10)).fallback(e -> {
            throw new IllegalArgumentException("fb broke");
        }).run(() -> {
            Thread.sleep(10_000);
            return "x";
        });
        TaskResult<String> r = thr.result();
        assertThat(r).isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<String>) r).error()).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(((TaskResult.Err<String>) r).error().getSuppressed()).hasAtLeastOneElementOfType(
                TaskTimeoutException.class);
        // fallback that throws Error
        SpawningTask<String> err = o.to(String.class).timeout(Duration.ofMillis(10)).fallback(e -> {
            throw new StackOverflowError("fb so");
        }).run(() -> {
            Thread.sleep(10_000);
            return "x";
        });
        assertThat(err.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(err.status()).isEqualTo(TaskStatus.TIMED_OUT);
        // fallback that is interrupted / leaves interrupt
        SpawningTask<String> intr = o.to(String.class).timeout(Duration.ofMillis(10)).fallback(e -> {
            Thread.currentThread().interrupt();
            return "fb";
        }).run(() -> {
            Thread.sleep(10_000);
            return "x";
        });
        assertThat(intr.join()).isEqualTo("fb");
        assertThat(o.to(String.class).run(() -> "after").join()).isEqualTo("after");
    }

    @Test
    void closeWithABlockedListenerOfATimedOutQueuedTaskReturns() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("one")).build();
        // close() waits 200 ms instead of 5 s for the tasks its cancel ends: whether it returns at all is the point.
        o.parts().shutdown.afterCancelNanos = TimeUnit.MILLISECONDS.toNanos(200);
        CountDownLatch inListener = new CountDownLatch(1);
        o.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("held")) {
                    inListener.countDown();
                    block();
                }
            }
        });
        o.to(String.class).named("busy").runtime("one").run(() -> {
            block();
            return "b";
        });
        SpawningTask<String> held = o.to(String.class).named("held").runtime("one").timeout(Duration.ofMillis(20))
                .run(() -> "h");
        assertThat(inListener.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                o.close();
            }
            catch (Throwable t) {
                failed.set(t);
            }
            closed.countDown();
        });
        closer.start();
        boolean done = closed.await(90, TimeUnit.SECONDS);
        release.countDown();
        assertThat(closed.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(held.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(done).as("close() returned while an onFinished listener blocks").isTrue();
        assertThat(failed.get()).isNull();
    }

    @Test
    void closeWithABlockedFallbackOfATimedOutQueuedTaskReturns() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("one")).build();
        // close() waits 200 ms instead of 5 s for the bodies its cancel ends: whether it returns at all is the point.
        o.parts().shutdown.afterCancelNanos = TimeUnit.MILLISECONDS.toNanos(200);
        CountDownLatch inFallback = new CountDownLatch(1);
        o.to(String.class).named("busy").runtime("one").run(() -> {
            block();
            return "b";
        });
        SpawningTask<String> held = o.to(String.class).named("held").runtime("one").timeout(Duration.ofMillis(20))
                .fallback(e -> {
                    inFallback.countDown();
                    block();
                    return "fb";
                }).run(() -> "h");
        assertThat(inFallback.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            o.close();
            closed.countDown();
        });
        closer.start();
        boolean done = closed.await(90, TimeUnit.SECONDS);
        release.countDown();
        assertThat(closed.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(held.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(done).isTrue();
    }

    @Test
    void closeEndsTasksWaitingForRetryDelaysDeadlinesAndDependencies() throws Exception {
        for (int round = 0; round < 30; round++) {
            TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("one"))
                    .runtime(TaskRuntime.platform("pool", 2)).build();
            List<SpawningTask<?>> tasks = new ArrayList<>();
            CountDownLatch failedOnce = new CountDownLatch(2);
            tasks.add(o.to(String.class).named("retrying").retry(RetryPolicy.fixed(3, Duration.ofHours(1)))
                    .timeout(Duration.ofHours(2)).run(() -> {
                        failedOnce.countDown();
                        throw new IllegalStateException("again");
                    }));
            tasks.add(o.to(String.class).named("retrying-pool").runtime("pool")
                    .retry(RetryPolicy.exponential(3, Duration.ofHours(1), Duration.ofDays(400_000)))
                    .run(() -> {
                        failedOnce.countDown();
                        throw new IllegalStateException("again");
                    }));
            SpawningTask<String> dep = o.to(String.class).named("dep").runtime("one").timeout(Duration.ofHours(1))
                    .run(() -> {
                        Thread.sleep(Long.MAX_VALUE);
                        return "d";
                    });
            tasks.add(dep);
            tasks.add(o.to(String.class).named("after").after(dep).timeout(Duration.ofHours(1)).run(() -> "a"));
            tasks.add(o.to(String.class).named("queued").runtime("one").timeout(Duration.ofHours(1))
                    .fallback(e -> "fb").run(() -> "q"));
            tasks.add(dep.chain(v -> v + "!"));
            assertThat(failedOnce.await(30, TimeUnit.SECONDS)).isTrue();
            Thread creator = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        SpawningTask<String> t = o.to(String.class).named("late").timeout(Duration.ofMillis(1 + i % 3))
                                .retry(RetryPolicy.fixed(1, Duration.ofMillis(1))).run(() -> {
                                    throw new IllegalStateException("x");
                                });
                        synchronized (tasks) {
                            tasks.add(t);
                        }
                    }
                    catch (RuntimeException ex) {
                        // refused after close
                    }
                }
            });
            creator.start();
            o.close();
            creator.join(60_000);
            List<SpawningTask<?>> all;
            synchronized (tasks) {
                all = new ArrayList<>(tasks);
            }
            for (SpawningTask<?> t : all) {
                CountDownLatch ended = new CountDownLatch(1);
                Thread.ofVirtual().start(() -> {
                    t.result();
                    ended.countDown();
                });
                assertThat(ended.await(30, TimeUnit.SECONDS)).as("%s ended after close (%s)", t.name(), t.status())
                        .isTrue();
                assertThat(t.status().isTerminal()).as(t.name()).isTrue();
            }
        }
    }

    @Test
    void closeWithAManualClockEndsPendingDeadlines() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator o = TaskOrchestrator.builder().clock(clock).build();
        SpawningTask<String> sleeping = o.to(String.class).timeout(Duration.ofSeconds(1)).run(() -> {
            Thread.sleep(Long.MAX_VALUE);
            return "s";
        });
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> retrying = o.to(String.class).retry(RetryPolicy.fixed(2, Duration.ofSeconds(1)))
                .run(() -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("x");
                });
        org.awaitility.Awaitility.await().until(() -> attempts.get() == 1);
        o.close();
        CountDownLatch ended = new CountDownLatch(2);
        Thread.ofVirtual().start(() -> {
            sleeping.result();
            ended.countDown();
        });
        Thread.ofVirtual().start(() -> {
            retrying.result();
            ended.countDown();
        });
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeping.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(retrying.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void hugeWaitsAndGraces() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().build();
        made.add(o);
        SpawningTask<String> t = o.to(String.class).run(() -> "v");
        assertThat(t.get(Long.MAX_VALUE, TimeUnit.DAYS)).isEqualTo("v");
        assertThat(t.get(Long.MIN_VALUE, TimeUnit.DAYS)).isEqualTo("v");
        SpawningTask<String> slow = o.to(String.class).run(() -> {
            Thread.sleep(Long.MAX_VALUE);
            return "v";
        });
        try {
            slow.get(Long.MIN_VALUE, TimeUnit.NANOSECONDS);
        }
        catch (java.util.concurrent.TimeoutException expected) {
            assertThat(expected).hasMessageContaining("has not ended yet");
        }
        slow.cancel();
        assertThat(o.shutdown(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))).isTrue();
        TaskOrchestrator o2 = TaskOrchestrator.builder().build();
        made.add(o2);
        try {
            o2.shutdown(Duration.ofSeconds(-1));
            throw new AssertionError("a negative grace is rejected");
        }
        catch (IllegalArgumentException ex) {
            assertThat(ex).hasMessageContaining("PT-1S");
        }
    }

    @Test
    void retryDelaysRacingTheDeadline() {
        TaskOrchestrator o = orchestrator();
        Map<TaskId, AtomicInteger> finished = new ConcurrentHashMap<>();
        o.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finished.computeIfAbsent(task.id(), k -> new AtomicInteger()).incrementAndGet();
            }
        });
        List<SpawningTask<String>> tasks = new ArrayList<>();
        List<AtomicInteger> counts = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            AtomicInteger attempts = new AtomicInteger();
            counts.add(attempts);
            int k = i;
            SpawningTaskBuilder<String> b = o.to(String.class).runtime(i % 4 == 0 ? "one" : "virtual")
                    .timeout(Duration.ofNanos(200_000L * (1 + i % 10)))
                    .retry(RetryPolicy.fixed(1000, Duration.ofNanos(100_000L * (1 + i % 7))));
            if (k % 3 == 0) {
                b = b.fallback(e -> "fb");
            }
            tasks.add(b.run(() -> {
                        attempts.incrementAndGet();
                        throw new IllegalStateException("again");
                    }));
        }
        for (int i = 0; i < tasks.size(); i++) {
            SpawningTask<String> t = tasks.get(i);
            TaskResult<String> r = t.result();
            assertThat(t.status()).as(t.info().toString()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(r.isOk()).isEqualTo(i % 3 == 0);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> tasks.stream().allMatch(t -> finished.containsKey(t.id())));
        assertThat(finished.values()).allMatch(c -> c.get() == 1);
        int before = counts.stream().mapToInt(AtomicInteger::get).sum();
        org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        assertThat(counts.stream().mapToInt(AtomicInteger::get).sum()).as("no attempt after the end").isEqualTo(before);
    }

    @Test
    void forcedEndRacingTheBodysLateReturnEndsOnce() {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("pool", 4)).build();
        made.add(o);
        Map<TaskId, AtomicInteger> finished = new ConcurrentHashMap<>();
        o.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finished.computeIfAbsent(task.id(), k -> new AtomicInteger()).incrementAndGet();
            }
        });
        List<SpawningTask<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            long lateNanos = TaskDeadline.RUNAWAY_GRACE.toNanos() - 3_000_000L + (i % 13) * 500_000L;
            SpawningTaskBuilder<String> b = o.to(String.class).runtime(i % 2 == 0 ? "pool" : "virtual")
                    .timeout(Duration.ofMillis(5));
            if (i % 3 == 0) {
                b = b.fallback(e -> "fb");
            }
            tasks.add(b.run(() -> {
                long interruptedAt = 0;
                long hard = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < hard) {
                    if (Thread.interrupted() && interruptedAt == 0) {
                        interruptedAt = System.nanoTime();
                    }
                    if (interruptedAt != 0 && System.nanoTime() - interruptedAt >= lateNanos) {
                        break;
                    }
                    Thread.onSpinWait();
                }
                return "body";
            }));
            if (tasks.size() % 8 == 0) {
                tasks.subList(tasks.size() - 8, tasks.size()).forEach(SpawningTask::result);
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            SpawningTask<String> t = tasks.get(i);
            TaskResult<String> r = t.result();
            assertThat(t.status()).as(t.info().toString()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(r.isOk()).isEqualTo(i % 3 == 0);
            assertThat(t.result()).isSameAs(r);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> tasks.stream().allMatch(t -> finished.containsKey(t.id())));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> o.runaways().isEmpty());
        assertThat(finished.values()).allMatch(c -> c.get() == 1);
        assertThat(tasks).allMatch(t -> !t.info().runaway());
    }
}
