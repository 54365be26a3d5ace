package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import io.sweetasync.ManualClock;
import io.sweetasync.TaskPriority;
import io.sweetasync.spi.TaskClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

    private final ManualClock clock = new ManualClock();

    private ConcurrencyLimiter limiter(int limit, int queue, Duration maxWait) {
        return new ConcurrencyLimiter("pricing", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
                .withLimits(limit, 1, 100).withQueueCapacity(queue).withMaxWait(maxWait), clock);
    }

    @Test
    void grantsUpToTheLimitThenQueuesInPriorityThenFifoOrder() {
        ConcurrencyLimiter limiter = limiter(2, 10, Duration.ofMinutes(1));
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        List<String> order = new CopyOnWriteArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> order.add("rejected"));
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> order.add("rejected"));
        assertThat(held).hasSize(2);
        String[] names = { "low", "normal-1", "critical", "normal-2", "background" };
        TaskPriority[] priorities = { TaskPriority.LOW, TaskPriority.NORMAL, TaskPriority.CRITICAL, TaskPriority.NORMAL,
                TaskPriority.BACKGROUND };
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            limiter.acquire(priorities[i], permit -> {
                order.add(name);
                held.add(permit);
            }, reason -> order.add("rejected"));
        }
        assertThat(limiter.snapshot().queued()).isEqualTo(5);
        assertThat(limiter.snapshot().inFlight()).isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            held.removeFirst().success();
        }
        assertThat(order).containsExactly("critical", "normal-1", "normal-2", "low", "background");
        assertThat(limiter.snapshot().inFlight()).isEqualTo(2);
        assertThat(limiter.snapshot().accepted()).isEqualTo(7);
    }

    @Test
    void aGrantCallbackThatThrowsGivesItsPermitBackAndTheOtherWaitersStillGetTheirs() {
        ConcurrencyLimiter limiter = limiter(1, 10, Duration.ofMinutes(1));
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> { });
        limiter.acquire(TaskPriority.NORMAL, permit -> {
            throw new IllegalStateException("the caller's own bug");
        }, reason -> { });
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> { });
        ConcurrencyLimiter.Permit first = held.removeFirst();
        first.success(); // hands over to the throwing waiter, whose permit must come back to the next one
        assertThat(held).as("the waiter behind the throwing one").hasSize(1);
        assertThat(limiter.snapshot().inFlight()).isEqualTo(1);
        assertThat(limiter.snapshot().queued()).isZero();
        held.removeFirst().success();
        assertThat(limiter.snapshot().inFlight()).isZero();
    }

    @Test
    void aGrantCallbackThatThrowsOnTheCallersThreadGivesItsPermitBack() {
        ConcurrencyLimiter limiter = limiter(1, 10, Duration.ofMinutes(1));
        assertThatThrownBy(() -> limiter.acquire(TaskPriority.NORMAL, permit -> {
            throw new IllegalStateException("the caller's own bug");
        }, reason -> { })).isInstanceOf(IllegalStateException.class).hasMessage("the caller's own bug");
        assertThat(limiter.snapshot().inFlight()).isZero();
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> { });
        assertThat(held).hasSize(1);
    }

    @Test
    void countsGrantsAndSumsHowLongQueuedOnesWaited() {
        ConcurrencyLimiter limiter = limiter(1, 10, Duration.ofMinutes(1));
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> { });
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> { });
        clock.advance(Duration.ofMillis(30));
        limiter.acquire(TaskPriority.NORMAL, held::add, reason -> { });
        clock.advance(Duration.ofMillis(20));
        held.removeFirst().success();       // the first waiter waited 50 ms
        clock.advance(Duration.ofMillis(10));
        held.removeFirst().success();       // the second one 30 ms
        assertThat(limiter.accepted()).isEqualTo(3);
        assertThat(limiter.waitedNanos()).isEqualTo(Duration.ofMillis(80).toNanos());
        held.removeFirst().success();
        limiter.tryAcquire().orElseThrow().success();
        assertThat(limiter.accepted()).as("a permit granted at once waited 0").isEqualTo(4);
        assertThat(limiter.waitedNanos()).isEqualTo(Duration.ofMillis(80).toNanos());
    }

    @Test
    void aFullQueueRejectsAtOnceNamingTheGroup() {
        ConcurrencyLimiter limiter = limiter(1, 1, Duration.ofMinutes(1));
        List<ConcurrencyLimiter.Rejection> rejections = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        assertThat(rejections).containsExactly(new ConcurrencyLimiter.Rejection(RejectionReason.QUEUE_FULL,
                "group 'pricing' is at its limit of 1 and its queue is full (capacity 1)"));
        assertThat(limiter.snapshot().rejected()).isEqualTo(1);
        assertThat(limiter.rejected(RejectionReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(limiter.rejected(RejectionReason.WAIT_TIMEOUT)).isZero();
    }

    @Test
    void aWaitLongerThanMaxWaitIsRejected() {
        ConcurrencyLimiter limiter = limiter(1, 10, Duration.ofSeconds(2));
        List<ConcurrencyLimiter.Rejection> rejections = new ArrayList<>();
        List<ConcurrencyLimiter.Permit> granted = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, granted::add, rejections::add);
        limiter.acquire(TaskPriority.NORMAL, granted::add, rejections::add);
        clock.advance(Duration.ofMillis(1999));
        assertThat(rejections).isEmpty();
        assertThat(limiter.queued()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(rejections).containsExactly(new ConcurrencyLimiter.Rejection(RejectionReason.WAIT_TIMEOUT,
                "waited longer than PT2S for a permit of group 'pricing' (limit 1, 0 still queued)"));
        assertThat(limiter.queued()).isZero();
        assertThat(limiter.rejected(RejectionReason.WAIT_TIMEOUT)).isEqualTo(1);
        granted.getFirst().success();
        assertThat(granted).as("the expired waiter is not granted later").hasSize(1);
        assertThat(limiter.snapshot().inFlight()).isZero();
    }

    @Test
    void aCancelledRequestGetsNoCallbackAndLeavesTheQueue() {
        ConcurrencyLimiter limiter = limiter(1, 10, Duration.ofSeconds(2));
        List<ConcurrencyLimiter.Permit> granted = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, granted::add, reason -> { });
        ConcurrencyLimiter.Request waiting = limiter.acquire(TaskPriority.NORMAL, granted::add, reason -> {
            throw new AssertionError("no rejection after cancel");
        });
        assertThat(waiting.cancel()).isTrue();
        assertThat(waiting.cancel()).isFalse();
        clock.advance(Duration.ofSeconds(5));
        granted.getFirst().ignore();
        assertThat(granted).hasSize(1);
        assertThat(limiter.snapshot().queued()).isZero();
        assertThat(limiter.snapshot().inFlight()).isZero();
    }

    @Test
    void aPermitIsReleasedOnceHoweverOftenItIsReturned() {
        ConcurrencyLimiter limiter = limiter(1, 10, Duration.ofSeconds(2));
        ConcurrencyLimiter.Permit permit = limiter.tryAcquire().orElseThrow();
        assertThat(limiter.tryAcquire()).isEmpty();
        permit.success();
        permit.dropped();
        permit.ignore();
        assertThat(limiter.snapshot().inFlight()).isZero();
        assertThat(limiter.tryAcquire()).isPresent();
    }

    @Test
    void noQueueMeansRejectAtTheLimit() {
        ConcurrencyLimiter limiter = limiter(1, 0, Duration.ofSeconds(2));
        List<ConcurrencyLimiter.Rejection> rejections = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        assertThat(rejections).containsExactly(new ConcurrencyLimiter.Rejection(RejectionReason.QUEUE_FULL,
                "group 'pricing' is at its limit of 1 and does not queue"));
    }

    @Test
    void snapshotReportsLatencyFigures() {
        ConcurrencyLimiter limiter = limiter(4, 10, Duration.ofSeconds(2));
        for (int i = 0; i < 20; i++) {
            ConcurrencyLimiter.Permit permit = limiter.tryAcquire().orElseThrow();
            clock.advance(Duration.ofMillis(10 + i % 3));
            permit.success();
        }
        LimiterSnapshot snapshot = limiter.snapshot();
        assertThat(snapshot.noLoadLatency()).isEqualTo(Duration.ofMillis(10));
        assertThat(snapshot.shortLatency()).isBetween(Duration.ofMillis(10), Duration.ofMillis(12));
        assertThat(snapshot.longLatency()).isBetween(Duration.ofMillis(10), Duration.ofMillis(12));
        assertThat(snapshot.algorithm()).isEqualTo(LimitAlgorithm.FIXED);
        assertThat(snapshot.phase()).isEqualTo(LimitPhase.FIXED);
        assertThat(snapshot.baselineLatency()).isZero();
        assertThat(snapshot.isSaturated()).isFalse();
    }

    @Test
    void aWaitThatCannotBeTimedIsRejectedAsShutdown() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("pricing", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1), new TaskClock() {
                    @Override
                    public Instant now() {
                        return Instant.EPOCH;
                    }

                    @Override
                    public long nanoTime() {
                        return 0;
                    }

                    @Override
                    public Scheduled schedule(Duration delay, Runnable action) {
                        throw new RejectedExecutionException("timer closed");
                    }
                });
        List<ConcurrencyLimiter.Rejection> rejections = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        assertThat(rejections).singleElement().extracting(ConcurrencyLimiter.Rejection::reason)
                .isEqualTo(RejectionReason.SHUTDOWN);
        assertThat(limiter.queued()).isZero();
        assertThat(limiter.rejected(RejectionReason.SHUTDOWN)).isEqualTo(1);
    }

    @Test
    void theAdaptiveStateIsInTheSnapshot() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("pricing", LimiterConfig.defaults(), clock);
        assertThat(limiter.snapshot().phase()).isEqualTo(LimitPhase.STARTUP);
        for (int i = 0; i < 400; i++) {
            ConcurrencyLimiter.Permit permit = limiter.tryAcquire().orElseThrow();
            clock.advance(Duration.ofMillis(10));
            permit.success();
        }
        LimiterSnapshot snapshot = limiter.snapshot();
        assertThat(snapshot.baselineLatency()).isEqualTo(Duration.ofMillis(10));
        assertThat(snapshot.estimatedCapacity()).as("one at a time never fills the limit of 20: no estimate").isZero();
        assertThat(snapshot.phase()).isEqualTo(LimitPhase.STARTUP);
        assertThat(limiter.limit()).isEqualTo(snapshot.limit()).isEqualTo(20);
        assertThat(limiter.phase()).isEqualTo(snapshot.phase());
        assertThat(limiter.baselineNanos()).isEqualTo(snapshot.baselineLatency().toNanos());
    }

    @Test
    void readingTheLimitAndTheStateDoesNotAllocate() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("pricing", LimiterConfig.defaults(), clock);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(thread);
        long sum = readEverything(limiter, 100_000);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(sum).isPositive();
        // One object per read would be at least 1.6 MB; what remains is the JIT's own bookkeeping.
        assertThat(allocated).as("bytes allocated by 100,000 reads").isLessThan(16_000);
    }

    private static long readEverything(ConcurrencyLimiter limiter, int times) {
        long sum = 0;
        for (int i = 0; i < times; i++) {
            sum += limiter.limit() + limiter.inFlight() + limiter.queued() + limiter.baselineNanos()
                    + (long) limiter.estimatedCapacity() + limiter.phase().ordinal()
                    + limiter.rejected(RejectionReason.QUEUE_FULL);
        }
        return sum;
    }

    @Test
    void configValidationNamesTheBadValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(5, 10, 20))
                .hasMessage("initialLimit 5 must be between minLimit 10 and maxLimit 20");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(5, 5, 4))
                .hasMessage("maxLimit 4 must not be less than minLimit 5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LimiterConfig.defaults().withQueueCapacity(-1))
                .hasMessageContaining("-1");
    }
}
