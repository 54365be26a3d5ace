package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A retry's attempt waiting for its group's permit, then cancelled or timed out: nothing leaks, nothing runs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review11LimitRetryWaitTest {

    @Test
    void aRetryCancelledOrTimedOutWhileQueuedForItsPermitLeavesTheGroupClean() throws Exception {
        for (boolean cancel : new boolean[] {true, false}) {
            ManualClock clock = new ManualClock();
            TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock)
                    .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(300)))
                    .build();
            try {
                AtomicInteger attempts = new AtomicInteger();
                CountDownLatch failed = new CountDownLatch(1);
                var builder = orchestrator.to(Integer.class).group("one").retry(RetryPolicy.fixed(3, Duration.ofSeconds(1)));
                if (!cancel) {
                    builder = builder.timeout(Duration.ofSeconds(5));
                }
                SpawningTask<Integer> t = builder.run(() -> {
                    attempts.incrementAndGet();
                    failed.countDown();
                    throw new IllegalStateException("attempt fails");
                });
                assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
                CountDownLatch release = new CountDownLatch(1);
                CountDownLatch holding = new CountDownLatch(1);
                SpawningTask<Integer> holder = orchestrator.to(Integer.class).group("one").run(() -> {
                    holding.countDown();
                    release.await();
                    return 1;
                });
                assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
                // the retry is scheduled (the holder's wait for the permit, as the failed attempt may give it back
                // only after the holder asked, schedules its 5 min expiry): let it fire now
                long scheduledBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!clock.requestedDelays().contains(Duration.ofSeconds(1)) && System.nanoTime() < scheduledBy) {
                    Thread.sleep(1);
                }
                assertThat(clock.requestedDelays()).as("the retry's delay was asked for").contains(Duration.ofSeconds(1));
                clock.advance(Duration.ofSeconds(1));
                ConcurrencyLimiter limiter = orchestrator.limiter("one");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (limiter.queued() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(limiter.queued()).as("the retry waits for the permit").isEqualTo(1);
                // (status stays RUNNING between attempts: statuses only move forward)
                if (cancel) {
                    assertThat(t.cancel()).isTrue();
                }
                else {
                    clock.advance(Duration.ofSeconds(5));
                }
                TaskResult<Integer> r = t.result();
                assertThat(t.status()).isEqualTo(cancel ? TaskStatus.CANCELLED : TaskStatus.TIMED_OUT);
                assertThat(limiter.queued()).isZero();
                release.countDown();
                holder.join();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (limiter.inFlight() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                Thread.sleep(100);
                assertThat(limiter.inFlight()).isZero();
                assertThat(attempts.get()).as("attempts run (cancel=%s, result %s)", cancel, r).isEqualTo(1);
                assertThat(r.isOk()).isFalse();
            }
            finally {
                orchestrator.close();
            }
        }
    }
}
