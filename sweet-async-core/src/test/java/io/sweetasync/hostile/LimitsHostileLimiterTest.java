package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.Limit;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC 3 and the javadoc of {@link ConcurrencyLimiter}, {@link LimiterConfig} and the {@link Limit} algorithms,
 * attacked directly through their public API: bad configurations, extreme limits, and many threads acquiring,
 * cancelling, timing out and releasing at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LimitsHostileLimiterTest {

    /** A real clock whose schedule runs actions on a small pool (so expiry races with releases). */
    private static final class PoolClock implements TaskClock {
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "hostile-limit-timer");
            t.setDaemon(true);
            return t;
        });

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            var future = timer.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }
    }

    private final PoolClock clock = new PoolClock();

    @AfterEach
    void stopClock() {
        clock.timer.shutdownNow();
    }

    // ---- configuration ------------------------------------------------------------------------------------

    @Test
    void badConfigurationsFailFastNamingTheValue() {
        LimiterConfig d = LimiterConfig.defaults();
        assertThatThrownBy(() -> d.withLimits(0, 0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> d.withLimits(5, -3, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-3");
        assertThatThrownBy(() -> d.withLimits(5, 7, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7").hasMessageContaining("6");
        assertThatThrownBy(() -> d.withLimits(11, 1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("11");
        assertThatThrownBy(() -> d.withLimits(Integer.MIN_VALUE, 1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Integer.MIN_VALUE));
        assertThatThrownBy(() -> d.withQueueCapacity(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> d.withMaxWait(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.000000001S");
        assertThatThrownBy(() -> d.withMaxWait(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("maxWait");
        assertThatThrownBy(() -> d.withAlgorithm(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("algorithm");
        assertThatThrownBy(() -> d.share(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> d.share(3, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3");
        assertThatThrownBy(() -> new ConcurrencyLimiter(null, d, clock)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ConcurrencyLimiter("g", null, clock)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ConcurrencyLimiter("g", d, null)).isInstanceOf(NullPointerException.class);
    }

    /** Extreme but valid configurations: a limiter must be usable, and never overflow into a negative limit. */
    @ParameterizedTest
    @EnumSource(LimitAlgorithm.class)
    void extremeLimitsNeverOverflow(LimitAlgorithm algorithm) {
        int max = Integer.MAX_VALUE;
        for (LimiterConfig config : List.of(
                new LimiterConfig(algorithm, max, 1, max, Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE)),
                new LimiterConfig(algorithm, max - 1, max - 1, max, 0, Duration.ZERO),
                new LimiterConfig(algorithm, max, max, max, 5, Duration.ofDays(36_525)))) {
            Limit limit = Limit.of(config);
            for (int i = 0; i < 20_000; i++) {
                long rtt = 1_000_000L * (1 + (i % 7));
                int inflight = switch (i % 4) {
                    case 0 -> Integer.MAX_VALUE;
                    case 1 -> Integer.MAX_VALUE / 2 + 1;
                    case 2 -> 1;
                    default -> limit.limit();
                };
                limit.onSample(i * 1_000_000L, rtt, inflight, i % 5 == 0);
                assertThat(limit.limit()).as("%s after %d samples of %s", algorithm, i, config)
                        .isBetween(config.minLimit(), config.maxLimit());
            }
            ConcurrencyLimiter limiter = new ConcurrencyLimiter("huge", config, clock);
            assertThat(limiter.tryAcquire()).isPresent();
        }
    }

    /**
     * VEGAS forgets its no-load latency every {@code 30 · L} samples. With a large limit, {@code 30 · L}
     * overflows an int: the countdown is negative, every sample is a "probe", and the algorithm never moves
     * again, not even on drops (javadoc: {@code drop → L − lg}).
     */
    @Test
    void vegasWithALargeLimitStillBacksOffOnDrops() {
        LimiterConfig config = new LimiterConfig(LimitAlgorithm.VEGAS, 100_000_000, 1, 200_000_000, 10,
                Duration.ofSeconds(1));
        Limit limit = Limit.of(config);
        // two samples set rttNoLoad (the first may be eaten by a probe), then drops
        for (int i = 0; i < 50; i++) {
            limit.onSample(i * 10_000_000L, 10_000_000L, 100_000_000, i >= 2);
        }
        assertThat(limit.limit()).as("VEGAS at 1e8 after 48 drops (lg = 8: −8 each)").isLessThan(100_000_000);
    }

    /** Latency up by 10x for a long while, then back: no algorithm may stay at its floor forever. */
    @ParameterizedTest
    @EnumSource(value = LimitAlgorithm.class, names = {"AIMD", "VEGAS", "GRADIENT2", "ADAPTIVE"})
    void limitsRecoverAfterLatencyShiftsUpThenDown(LimitAlgorithm algorithm) {
        LimiterConfig config = new LimiterConfig(algorithm, 20, 1, 200, 100, Duration.ofSeconds(1));
        Limit limit = Limit.of(config);
        long now = 0;
        // Little's law with a downstream of 10 slots: the latency grows with the concurrency above 10
        now = drive(limit, now, 5_000, 1_000_000L, 10, false);
        now = drive(limit, now, 20_000, 50_000_000L, 10, true);
        int low = limit.limit();
        now = drive(limit, now, 60_000, 1_000_000L, 10, false);
        assertThat(limit.limit()).as("%s: after the shift back (it was %d at the worst)", algorithm, low)
                .isGreaterThanOrEqualTo(5);
    }

    /**
     * Synthetic closed loop: {@code limit()} requests in flight, each taking {@code base · max(1, L / slots)}
     * (a downstream with {@code slots} slots and a queue), some dropped when {@code drops}.
     */
    private static long drive(Limit limit, long now, int samples, long base, int slots, boolean drops) {
        for (int i = 0; i < samples; i++) {
            int l = limit.limit();
            long rtt = base * Math.max(1, l / slots);
            boolean dropped = drops && i % 10 == 0;
            limit.onSample(now, rtt, l, dropped);
            now += Math.max(1, rtt / Math.max(1, l));
        }
        return now;
    }

    // ---- races --------------------------------------------------------------------------------------------

    /**
     * Many threads acquire, cancel, let waits expire (maxWait 1 ms, racing the grants), and release by
     * success, dropped and ignore (some twice), some from inside onGranted, some whose onGranted throws.
     * Invariants: permits held never exceed the FIXED limit; inFlight never negative nor above the limit;
     * every request ends in exactly one callback or a successful cancel; nothing leaks at the end.
     */
    @Test
    void permitsNeverExceedTheLimitUnderChurn() throws Exception {
        for (int round = 0; round < 30; round++) {
            int limitValue = 1 + round % 4;
            LimiterConfig config = new LimiterConfig(LimitAlgorithm.FIXED, limitValue, 1, 10, 50,
                    Duration.ofNanos(round % 2 == 0 ? 1_000_000 : 50_000));
            ConcurrencyLimiter limiter = new ConcurrencyLimiter("churn", config, clock);
            AtomicInteger held = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            AtomicInteger outcomes = new AtomicInteger();
            AtomicInteger cancelled = new AtomicInteger();
            AtomicInteger doubleCallbacks = new AtomicInteger();
            AtomicReference<String> badSnapshot = new AtomicReference<>();
            ConcurrentLinkedQueue<ConcurrencyLimiter.Permit> toRelease = new ConcurrentLinkedQueue<>();
            int threads = 6;
            int perThread = 400;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (running.get()) {
                    LimiterSnapshot s = limiter.snapshot();
                    int f = limiter.inFlight();
                    if (s.inFlight() < 0 || s.inFlight() > s.limit() || f < 0 || f > limitValue || s.queued() < 0
                            || s.queued() > 50) {
                        badSnapshot.compareAndSet(null, s + " / inFlight() " + f);
                    }
                }
            });
            watcher.start();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    try {
                        start.await();
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        AtomicBoolean answered = new AtomicBoolean();
                        int mode = random.nextInt(6);
                        ConcurrencyLimiter.Request request;
                        try {
                            request = limiter.acquire(TaskPriority.values()[random.nextInt(5)], permit -> {
                                if (!answered.compareAndSet(false, true)) {
                                    doubleCallbacks.incrementAndGet();
                                }
                                int now = held.incrementAndGet();
                                peak.accumulateAndGet(now, Math::max);
                                if (mode == 0) {
                                    held.decrementAndGet();
                                    outcomes.incrementAndGet();
                                    throw new IllegalStateException("onGranted refuses its permit");
                                }
                                if (mode == 1) {
                                    held.decrementAndGet();
                                    permit.success();
                                    permit.success();
                                }
                                else {
                                    toRelease.add(permit);
                                }
                                outcomes.incrementAndGet();
                            }, rejection -> {
                                if (!answered.compareAndSet(false, true)) {
                                    doubleCallbacks.incrementAndGet();
                                }
                                outcomes.incrementAndGet();
                            });
                        }
                        catch (IllegalStateException expected) {
                            continue;
                        }
                        if (mode == 2 && request.cancel()) {
                            if (!answered.compareAndSet(false, true)) {
                                doubleCallbacks.incrementAndGet();
                            }
                            cancelled.incrementAndGet();
                        }
                        ConcurrencyLimiter.Permit p;
                        while (random.nextInt(3) != 0 && (p = toRelease.poll()) != null) {
                            held.decrementAndGet();
                            switch (random.nextInt(3)) {
                                case 0 -> p.success();
                                case 1 -> p.dropped();
                                default -> p.ignore();
                            }
                            p.ignore();
                        }
                    }
                }, "churn-" + t);
                workers.add(worker);
                worker.start();
            }
            start.countDown();
            for (Thread worker : workers) {
                worker.join();
            }
            // drain: release everything until every request has answered
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (outcomes.get() + cancelled.get() < threads * perThread && System.nanoTime() < deadline) {
                ConcurrencyLimiter.Permit p = toRelease.poll();
                if (p != null) {
                    held.decrementAndGet();
                    p.success();
                }
                else {
                    Thread.onSpinWait();
                }
            }
            ConcurrencyLimiter.Permit p;
            while ((p = toRelease.poll()) != null) {
                held.decrementAndGet();
                p.success();
            }
            running.set(false);
            watcher.join();
            assertThat(doubleCallbacks.get()).as("round %d: requests answered twice", round).isZero();
            assertThat(outcomes.get() + cancelled.get()).as("round %d: every request answered once", round)
                    .isEqualTo(threads * perThread);
            assertThat(peak.get()).as("round %d: permits held at once, limit %d", round, limitValue)
                    .isLessThanOrEqualTo(limitValue);
            assertThat(badSnapshot.get()).as("round %d: an inconsistent snapshot", round).isNull();
            assertThat(limiter.inFlight()).as("round %d: leaked permits", round).isZero();
            assertThat(limiter.queued()).isZero();
            // all of the limit is usable again
            for (int k = 0; k < limitValue; k++) {
                assertThat(limiter.tryAcquire()).as("round %d: permit %d of %d", round, k, limitValue).isPresent();
            }
        }
    }

    /**
     * A suspended permit released by another thread while a resume races it: inFlight must come back to 0,
     * never count the permit twice nor go negative.
     */
    @Test
    void suspendResumeReleaseRacesNeverLeakNorDoubleCount() throws Exception {
        LimiterConfig config = new LimiterConfig(LimitAlgorithm.FIXED, 2, 1, 2, 100, Duration.ofSeconds(30));
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("suspend", config, clock);
        for (int round = 0; round < 2_000; round++) {
            ConcurrencyLimiter.Permit permit = limiter.tryAcquire().orElseThrow();
            CountDownLatch go = new CountDownLatch(1);
            Thread a = new Thread(() -> {
                Work0.await(go);
                permit.suspend();
                permit.resume();
            });
            Thread b = new Thread(() -> {
                Work0.await(go);
                permit.success();
            });
            Thread c = new Thread(() -> {
                Work0.await(go);
                permit.suspend();
            });
            a.start();
            b.start();
            c.start();
            go.countDown();
            a.join();
            b.join();
            c.join();
            assertThat(limiter.inFlight()).as("round %d", round).isZero();
        }
        assertThat(limiter.tryAcquire()).isPresent();
        assertThat(limiter.tryAcquire()).isPresent();
        assertThat(limiter.tryAcquire()).isEmpty();
    }

    /**
     * The javadoc's own pattern with the work done inline: {@code onGranted} runs the work and releases its
     * permit. A queue of such waiters, released at once, hands the permit from one to the next; and an
     * {@code onGranted} that throws (an executor shut down: the javadoc's example) gives its permit to the
     * next waiter. Either must serve every waiter once, on a thread of ordinary stack size, without a
     * {@link StackOverflowError} and without leaking the permit.
     */
    @Test
    void aLongQueueOfFailingGrantsIsServedWithoutOverflowingTheStack() throws Exception {
        serveALongQueue(true);
    }

    /**
     * As above, with {@code onGranted} releasing inline: each release runs the next waiter's callback inside
     * it, about 1,300 deep on a 1 MB stack, until a {@link StackOverflowError} (swallowed by the hand-over's
     * catch) strands the rest of the queue: ~18,700 waiters QUEUED with 0 in flight and a limit of 1, until
     * their maxWait (here never). An engine group on a caller-runs executor ({@code TaskRuntime.executor(name,
     * Runnable::run)}) runs its bodies inside onGranted the same way. Deferring the nested grants to the outer
     * hand-over would deadlock a body that waits inline for a task it just let in, so this needs a design
     * decision, not a one-line fix.
     */
    @Test
    void aLongQueueOfInlineGrantsIsServedWithoutOverflowingTheStack() throws Exception {
        serveALongQueue(false);
    }

    private void serveALongQueue(boolean throwing) throws Exception {
        int waiting = 20_000;
        LimiterConfig config = new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, waiting, Duration.ofSeconds(Long.MAX_VALUE));
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("inline", config, clock);
        ConcurrencyLimiter.Permit first = limiter.tryAcquire().orElseThrow();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        for (int i = 0; i < waiting; i++) {
            limiter.acquire(TaskPriority.NORMAL, permit -> {
                served.incrementAndGet();
                if (throwing) {
                    throw new java.util.concurrent.RejectedExecutionException("executor shut down");
                }
                permit.success();
            }, rejection -> rejected.incrementAndGet());
        }
        assertThat(limiter.queued()).isEqualTo(waiting);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(ConcurrencyLimiter.class.getName());
        java.util.logging.Level level = log.getLevel();
        log.setLevel(java.util.logging.Level.OFF); // 20,000 warnings with stack traces otherwise
        try {
            Thread releaser = new Thread(() -> {
                try {
                    first.success();
                }
                catch (Throwable t) {
                    thrown.set(t);
                }
            }, "releaser");
            releaser.start();
            releaser.join();
        }
        finally {
            log.setLevel(level);
        }
        // Past a depth of nested hand-overs the rest is served on a thread of its own: eventually, not on return.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((served.get() < waiting || limiter.inFlight() > 0) && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertThat("thrown " + thrown.get() + ", served " + served.get() + ", rejected " + rejected.get()
                + ", in flight " + limiter.inFlight() + ", queued " + limiter.queued())
                .isEqualTo("thrown null, served " + waiting + ", rejected 0, in flight 0, queued 0");
        assertThat(limiter.tryAcquire()).isPresent();
    }

    private static final class Work0 {
        static void await(CountDownLatch latch) {
            try {
                latch.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
