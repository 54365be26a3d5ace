package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.jdbc.JsonDurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review (SPEC §6: "a member claims it with a lease it renews; when a lease expires the work is claimed again
 * ... claimed by exactly one"): a member whose own renewals fail while its claims go through (a store flapping during a
 * failover, a pool that times out now and then) must not claim its own invocations when its own lease lapses: it runs
 * them already. In package {@code io.sweetasync} to ask for the claims at every interval as a cluster member's leaving
 * does ({@code StoreSync.claimSoon}). Failed before its fix: the member claimed its own running task and ran it a
 * second time beside the first.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelfClaimReviewTest {

    @Test
    void aMemberWhoseOwnLeaseLapsedDoesNotClaimTheTasksItRuns() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:selfclaim" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        AtomicBoolean renewalsFail = new AtomicBoolean();
        AtomicInteger renewalsFailed = new AtomicInteger();
        AtomicInteger claimsAnswered = new AtomicInteger();
        TaskStore flapping = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(),
                new Class<?>[] { TaskStore.class }, (proxy, method, args) -> {
                    if (method.getName().equals("heartbeat") && renewalsFail.get()) {
                        renewalsFailed.incrementAndGet();
                        throw new IllegalStateException("connection is not available, request timed out (test)");
                    }
                    try {
                        return method.invoke(store, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                    finally {
                        if (method.getName().equals("claimOrphans")) {
                            claimsAnswered.incrementAndGet();
                        }
                    }
                });
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator member = TaskOrchestrator.builder().store(flapping).member("flapping")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(1)).handler("hold", String.class, argument -> {
                    runs.incrementAndGet();
                    started.countDown();
                    never.await();
                    return argument;
                }).build()) {
            SpawningTask<String> task = member.to(String.class).durable("hold", "job").run();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            renewalsFail.set(true);
            // Four failed renewals, a third of the lease apart: the lease of the last one that went through has lapsed.
            await().atMost(Duration.ofSeconds(20)).alias("the member's own lease lapsed").until(() -> {
                member.parts().storeSync().claimSoon(); // a cluster member left: claims at every interval
                return renewalsFailed.get() >= 4;
            });
            int answered = claimsAnswered.get();
            await().atMost(Duration.ofSeconds(20)).alias("claims went through after the lapse").until(() -> {
                member.parts().storeSync().claimSoon();
                return claimsAnswered.get() >= answered + 2;
            });

            DurableRecord stored = store.durable(task.id()).orElseThrow();
            assertThat(stored.attempts()).as("not claimed again: %s", stored).isEqualTo(1);
            assertThat(List.of(runs.get(), task.status())).as("one run, still running")
                    .containsExactly(1, TaskStatus.RUNNING);
        }
        finally {
            never.countDown();
        }
    }
}
