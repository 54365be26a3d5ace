package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 18: a user's real cancel of a durable re-run waiting for a permit of its full group (through
 * {@code TaskOrchestrator.cancel}, as the Actuator's {@code DELETE} does) is no bounce: the invocation ends
 * {@code CANCELLED} for good, as the user asked, is not handed back, and never runs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review18DurUserCancelOfRerunTest {

    private static final LimiterConfig MAIL = ReviewSupport.oneAtATime(Duration.ofHours(1));

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member).group("mail", MAIL);
    }

    @Test
    void aUsersCancelOfAQueuedRerunEndsTheInvocation() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a").handler("send", String.class, mail -> {
            aRunning.countDown();
            never.await();
            return "never";
        }).build();
        ReviewSupport.CountingStore bStore = new ReviewSupport.CountingStore(store);
        AtomicInteger runsOnB = new AtomicInteger();
        List<TaskInfo> endsOfId = new CopyOnWriteArrayList<>();
        CountDownLatch bBusy = new CountDownLatch(1);
        CountDownLatch bFree = new CountDownLatch(1);
        try {
            TaskId id = a.to(String.class).group("mail").durable("send", "mail-1").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            try (TaskOrchestrator b = on(bStore, "b").handler("send", String.class, mail -> {
                runsOnB.incrementAndGet();
                return "sent " + mail;
            }).build()) {
                b.addListener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (task.id().equals(id)) {
                            endsOfId.add(task);
                        }
                    }
                });
                // b's own work holds the group's one permit: the re-run waits in its queue.
                SpawningTask<String> own = b.to(String.class).group("mail").run(() -> {
                    bBusy.countDown();
                    bFree.await();
                    return "own";
                });
                assertThat(bBusy.await(30, TimeUnit.SECONDS)).isTrue();
                aStore.down = true; // a dies running the invocation
                await().atMost(Duration.ofSeconds(60)).alias("b claimed the re-run; it waits for a permit")
                        .until(() -> b.find(id).map(TaskInfo::status).filter(s -> s == TaskStatus.QUEUED).isPresent());
                assertThat(b.cancel(id)).as("the user's cancel of the waiting re-run").isTrue();
                await().atMost(Duration.ofSeconds(60)).alias("the invocation ended")
                        .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
                assertThat(store.durable(id).map(DurableRecord::status)).as("cancelled for good, as asked")
                        .contains("CANCELLED");
                assertThat(endsOfId).singleElement().satisfies(end -> {
                    assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
                    assertThat(end.failure().message()).doesNotContain("runs again");
                });
                bFree.countDown();
                assertThat(own.join()).isEqualTo("own");
                assertThat(bStore.unrun.get()).as("not handed back as a bounce").isZero();
                Thread.sleep(2_000); // b's later looks at the store (every lease) find nothing to run
                assertThat(runsOnB.get()).isZero();
                assertThat(store.durable(id).map(DurableRecord::status)).isEqualTo(Optional.of("CANCELLED"));
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
