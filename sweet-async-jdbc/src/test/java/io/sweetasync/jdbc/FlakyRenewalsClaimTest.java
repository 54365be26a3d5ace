package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of the claims' hold-off (LeaseKeeper#claimsHeldUntil): a member whose renewals fail now and then (one in
 * three: its own lease never lapses, it renews twice per lease) pushes its hold-off forward at every renewal that
 * follows a failed one, so it never claims: the runs of a member that really died are never taken over (they were,
 * within a lease or two, before the hold-off). The hold-off now follows only five sixths of a lease out of reach.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlakyRenewalsClaimTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    /** A store whose every third renewal fails (a flaky network), the rest going through. */
    static final class FlakyRenewals extends ReviewSupport.GatedStore {
        private final AtomicInteger calls = new AtomicInteger();

        FlakyRenewals(JdbcTaskStore delegate) {
            super(delegate);
        }

        @Override
        public int heartbeat(long incarnation, Duration lease) {
            if (calls.incrementAndGet() % 3 == 0) {
                throw new IllegalStateException("renewal failed (flaky store, test)");
            }
            return super.heartbeat(incarnation, lease);
        }
    }

    @Test
    void aMemberWhoseRenewalsFailNowAndThenStillTakesOverADeadMembersRun() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        FlakyRenewals aStore = new FlakyRenewals(store);
        ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(store);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator a = member(aStore, "member-a", runs, new CountDownLatch(1), never).build();
                TaskOrchestrator b = member(bStore, "member-b", runs, bStarted, never).build()) {
            SpawningTask<String> onB = b.to(String.class).durable("hold", "b-job").run();
            assertThat(bStarted.await(30, TimeUnit.SECONDS)).isTrue();
            bStore.down = true; // B is gone for the store for good: its lease lapses, its run is an orphan
            long deadline = System.nanoTime() + LEASE.multipliedBy(8).toNanos();
            while (runs.get() < 2 && System.nanoTime() - deadline < 0) {
                Thread.sleep(50);
            }
            assertThat(runs).as("B's run taken over by A within 8 leases (A renews, now and then failing)").hasValue(2);
            assertThat(store.durable(onB.id()).orElseThrow().owner()).isEqualTo(a.storeStatistics().orElseThrow().incarnation());
        }
        finally {
            never.countDown();
        }
    }

    private static TaskOrchestrator.Builder member(io.sweetasync.spi.TaskStore store, String name, AtomicInteger runs,
            CountDownLatch started, CountDownLatch never) {
        return OutageClaimsTest.member(store, name, runs, started, never); // the same 2 s lease
    }
}
