package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review 15: durable invocations a dead member had accepted into a concurrency group (one running, one queued) are
 * claimed together by the next member, whose own work in that group holds its only permit: the group's queue has
 * room for one of them. The other must still run ("durable tasks run at least once"), not end rejected, unrun, for
 * good, with nobody to hear it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review15DurGroupFullRerunTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static final LimiterConfig MAIL = ReviewSupport.oneAtATime(Duration.ofHours(1));

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member).group("mail", MAIL);
    }

    private static String durableStatus(TaskStore store, TaskId id) {
        return store.durable(id).map(DurableRecord::status).orElse("<none>");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void invocationsClaimedIntoAFullGroupStillRun(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a").handler("send", String.class, mail -> {
            aRunning.countDown();
            never.await();
            return "never";
        }).build();
        List<String> sentOnB = new CopyOnWriteArrayList<>();
        CountDownLatch bBusy = new CountDownLatch(1);
        CountDownLatch bFree = new CountDownLatch(1);
        try {
            TaskId first = a.to(String.class).group("mail").durable("send", "mail-1").run().id();
            TaskId second = a.to(String.class).group("mail").durable("send", "mail-2").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            try (TaskOrchestrator b = on(store, "b").handler("send", String.class, mail -> {
                sentOnB.add(mail);
                return "sent " + mail;
            }).build()) {
                SpawningTask<String> own = b.to(String.class).group("mail").run(() -> {
                    bBusy.countDown();
                    bFree.await();
                    return "own";
                });
                assertThat(bBusy.await(30, TimeUnit.SECONDS)).isTrue();
                aStore.down = true; // a dies with one invocation running and one queued in the group
                await().atMost(Duration.ofSeconds(30)).alias("b claims both")
                        .until(() -> store.durable(first).map(DurableRecord::attempts).orElse(0) >= 2
                                && store.durable(second).map(DurableRecord::attempts).orElse(0) >= 2);
                Thread.sleep(1000); // what a rejected re-run ends as has time to be written
                bFree.countDown();
                assertThat(own.join()).isEqualTo("own");
                await().atMost(Duration.ofSeconds(60)).alias("both invocations ended")
                        .until(() -> !durableStatus(store, first).equals("PENDING")
                                && !durableStatus(store, second).equals("PENDING"));
                assertThat(List.of(durableStatus(store, first), durableStatus(store, second)))
                        .as("the invocations a dead member accepted, run on b").containsExactly("COMPLETED", "COMPLETED");
                assertThat(sentOnB).containsExactlyInAnyOrder("mail-1", "mail-2");
            }
        }
        finally {
            bFree.countDown();
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }
}
