package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter.Permit;
import io.sweetasync.limit.ConcurrencyLimiter.Request;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of the split of {@link ConcurrencyLimiter} into parts: many threads acquiring, releasing, cancelling,
 * suspending and resuming, with grant callbacks that throw and waits that expire, against a limit of 3. Per
 * repetition: permits counted against the limit never exceed it (no suspend), the count never goes negative,
 * every request ends exactly once (granted, rejected, or cancelled while waiting), and at the end nothing is in
 * flight or queued.
 */
@Timeout(60)
class LimiterSplitReviewTest {

    private static final int LIMIT = 3;
    private static final int THREADS = 6;
    private static final int OPERATIONS = 1_500;

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final TaskClock clock = new TaskClock() {
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
    };

    {
        timer.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void withoutSuspendTheLimitHoldsAndEveryRequestEndsOnce() throws Exception {
        for (int repetition = 0; repetition < 12; repetition++) {
            run(false, repetition % 3 == 0 ? LimitAlgorithm.ADAPTIVE : LimitAlgorithm.FIXED);
        }
    }

    @Test
    void withSuspendAndResumeEveryRequestEndsOnceAndTheCountComesBackToZero() throws Exception {
        for (int repetition = 0; repetition < 12; repetition++) {
            run(true, repetition % 3 == 0 ? LimitAlgorithm.ADAPTIVE : LimitAlgorithm.FIXED);
        }
    }

    private void run(boolean suspending, LimitAlgorithm algorithm) throws Exception {
        LimiterConfig config = LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(LIMIT, 1, LIMIT)
                .withQueueCapacity(8).withMaxWait(Duration.ofMillis(2));
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("review", config, clock);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger mostActive = new AtomicInteger();
        AtomicInteger leastInFlight = new AtomicInteger();
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Ends> all = new CopyOnWriteArrayList<>();
        Queue<Held> held = new ConcurrentLinkedQueue<>();
        AtomicLong thrown = new AtomicLong();
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < OPERATIONS; i++) {
                        Ends ends = new Ends();
                        all.add(ends);
                        boolean throwing = random.nextInt(25) == 0;
                        Request request;
                        try {
                            request = limiter.acquire(TaskPriority.values()[random.nextInt(TaskPriority.values().length)],
                                    permit -> {
                                        ends.count.incrementAndGet();
                                        int now = active.incrementAndGet();
                                        mostActive.accumulateAndGet(now, Math::max);
                                        leastInFlight.accumulateAndGet(limiter.inFlight(), Math::min);
                                        if (throwing) {
                                            active.decrementAndGet();
                                            thrown.incrementAndGet();
                                            throw new IllegalStateException("review: the callback throws");
                                        }
                                        if (random.nextBoolean()) {
                                            release(permit, active, random.nextInt(3));
                                        }
                                        else {
                                            held.add(new Held(permit));
                                        }
                                    },
                                    rejection -> ends.count.incrementAndGet());
                        }
                        catch (IllegalStateException expected) {
                            continue; // thrown by our callback on this thread: its permit was given back
                        }
                        if (random.nextInt(4) == 0 && request.cancel()) {
                            ends.count.incrementAndGet();
                        }
                        Held one = held.poll();
                        if (one != null) {
                            if (suspending && !one.suspended && random.nextBoolean()) {
                                one.suspended = true;
                                active.decrementAndGet();
                                one.permit.suspend();
                                held.add(one);
                            }
                            else if (one.suspended && random.nextBoolean()) {
                                one.suspended = false;
                                active.incrementAndGet();
                                one.permit.resume();
                                held.add(one);
                            }
                            else {
                                if (one.suspended) {
                                    active.incrementAndGet(); // released while suspended: not counted
                                }
                                release(one.permit, active, random.nextInt(3));
                            }
                        }
                        leastInFlight.accumulateAndGet(limiter.inFlight(), Math::min);
                    }
                }
                catch (Throwable ex) {
                    violations.add("thread failed: " + ex);
                }
                finally {
                    done.countDown();
                }
            }));
        }
        assertThat(done.await(40, TimeUnit.SECONDS)).as("the workers finish (no deadlock)").isTrue();
        // Drain: release what is held until every request has ended (waiters granted by these releases are
        // held too, or released inline).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Held one = held.poll();
            if (one != null) {
                if (one.suspended) {
                    active.incrementAndGet();
                }
                release(one.permit, active, 0);
                continue;
            }
            if (all.stream().allMatch(e -> e.count.get() >= 1) && limiter.queued() == 0 && held.isEmpty()) {
                break;
            }
            Thread.onSpinWait();
        }
        assertThat(violations).isEmpty();
        assertThat(all).as("every request ends exactly once").allMatch(e -> e.count.get() == 1);
        assertThat(leastInFlight.get()).as("inFlight never negative").isGreaterThanOrEqualTo(0);
        if (!suspending) {
            assertThat(mostActive.get()).as("permits held at once, %s", algorithm).isLessThanOrEqualTo(LIMIT);
        }
        assertThat(limiter.inFlight()).as("nothing in flight at the end").isZero();
        assertThat(limiter.queued()).as("nothing queued at the end").isZero();
        assertThat(limiter.snapshot().inFlight()).isZero();
    }

    private static void release(Permit permit, AtomicInteger active, int how) {
        active.decrementAndGet();
        switch (how) {
            case 0 -> permit.success();
            case 1 -> permit.dropped();
            default -> permit.ignore();
        }
    }

    private static final class Ends {
        final AtomicInteger count = new AtomicInteger();
    }

    private static final class Held {
        final Permit permit;
        volatile boolean suspended;

        Held(Permit permit) {
            this.permit = permit;
        }
    }
}
