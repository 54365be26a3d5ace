package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter.Permit;
import io.sweetasync.limit.ConcurrencyLimiter.Request;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's clock "may fail any way" (AdmissionQueue.time, which guards {@code schedule}); its handles' {@code cancel}
 * may fail too. A waiter's expiry is cancelled as it is granted, on the thread that released a permit, before its
 * grant callback runs (HandOver): a cancel that threw there left the permit counted in flight with no callback ever
 * told of it (a permit leaked for good, the waiter stranded), and threw into the releasing work, against "the thread
 * that freed the permits never sees another caller's failure". An expiry that cannot be cancelled is harmless: it
 * finds the waiter no longer waiting and does nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review15LimCancelExpiryTest {

    /** A clock whose scheduled actions never run and whose handles throw on cancel. */
    private static final class FailingCancelClock implements TaskClock {
        private final AtomicLong nanos = new AtomicLong(1_000_000);

        @Override
        public Instant now() {
            return Instant.EPOCH;
        }

        @Override
        public long nanoTime() {
            return nanos.addAndGet(1_000);
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            return () -> {
                throw new IllegalStateException("this clock cannot cancel");
            };
        }
    }

    @Test
    void aWaiterWhoseExpiryCannotBeCancelledIsStillGrantedAndThePermitComesBack() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("cancel",
                new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30)), new FailingCancelClock());
        List<Permit> held = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        assertThat(held).hasSize(1);
        assertThat(limiter.queued()).isEqualTo(1);

        assertThatCode(() -> held.get(0).success()).as("releasing a permit never throws another request's failure")
                .doesNotThrowAnyException();
        assertThat(held).as("the waiter is granted the permit given back").hasSize(2);
        held.get(1).success();
        assertThat(limiter.inFlight()).as("no permit left counted").isZero();
        assertThat(limiter.queued()).isZero();
    }

    @Test
    void aWaiterWhoseExpiryCannotBeCancelledCanStillBeWithdrawn() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("withdraw",
                new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30)), new FailingCancelClock());
        List<Permit> held = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        Request waiting = limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        boolean[] withdrawn = new boolean[1];
        assertThatCode(() -> withdrawn[0] = waiting.cancel()).doesNotThrowAnyException();
        assertThat(withdrawn[0]).isTrue();
        held.get(0).success();
        assertThat(held).hasSize(1);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.queued()).isZero();
    }
}
