package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An outage of the store cuts every member off, not one: their leases lapse in the store alike, though all of them
 * live. Found by a new user's trial (two members on PostgreSQL, the database stopped for 8 s with a 3 s lease): the
 * first member to renew claimed the other's runs at once, the other stopped its copies as taken over, and the two took
 * each other's work in turn until every run had ended lost. A member that was out of the store's reach claims nothing
 * for a lease after it renews again: the others renew meanwhile, and only a member that does not is gone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutageClaimsTest {

    private static final Duration LEASE = Duration.ofSeconds(4); // B renews within A's hold-off, even stalled a while

    /** A member on {@code store} with a {@link #LEASE} whose handler "hold" counts its runs and holds until {@code never}. */
    static TaskOrchestrator.Builder member(TaskStore store, String name, AtomicInteger runs,
            CountDownLatch started, CountDownLatch never) {
        return TaskOrchestrator.builder().store(store).member(name).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(LEASE)
                .handler("hold", String.class, argument -> {
                    runs.incrementAndGet();
                    started.countDown();
                    never.await();
                    return argument;
                });
    }

    /**
     * Both members cut off past the lease; A reaches the store first and renews (its claims would take B's run then,
     * B's lease having lapsed), B only after A's renewal. Neither run is taken over: each member still owns and runs
     * its own, and nothing ran twice.
     */
    @Test
    void membersCutOffTogetherDoNotTakeEachOthersRunsWhenTheStoreComesBack() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(store);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator a = member(aStore, "member-a", runs, started, never).build();
                TaskOrchestrator b = member(bStore, "member-b", runs, started, never).build()) {
            long aIncarnation = a.storeStatistics().orElseThrow().incarnation();
            long bIncarnation = b.storeStatistics().orElseThrow().incarnation();
            SpawningTask<String> onA = a.to(String.class).durable("hold", "a-job").run();
            SpawningTask<String> onB = b.to(String.class).durable("hold", "b-job").run();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

            aStore.down = true;
            bStore.down = true;
            Thread.sleep(LEASE.toMillis() * 3 / 2); // both leases lapse in the store
            int aRenewals = aStore.renewals.get();
            aStore.down = false;
            await().atMost(Duration.ofSeconds(20)).alias("A renewed, B still cut off")
                    .until(() -> aStore.renewals.get() > aRenewals);
            int bRenewals = bStore.renewals.get();
            bStore.down = false;
            await().atMost(Duration.ofSeconds(20)).alias("B renewed").until(() -> bStore.renewals.get() > bRenewals + 1);
            Thread.sleep(LEASE.toMillis()); // A's claims are allowed again by now: B's lease is live

            assertThat(store.durable(onA.id()).orElseThrow().owner()).as("A's run, A's").isEqualTo(aIncarnation);
            assertThat(store.durable(onB.id()).orElseThrow().owner()).as("B's run, B's").isEqualTo(bIncarnation);
            assertThat(onA.isDone()).as("A's copy runs on").isFalse();
            assertThat(onB.isDone()).as("B's copy runs on").isFalse();
            assertThat(runs).as("runs of the two jobs").hasValue(2);
        }
        finally {
            never.countDown();
        }
    }
}
