package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 18: only a durable re-run's first admission here may bounce. Once it made an attempt here, its retry's
 * admission refused (its wait for a permit too long) is a real rejection: counted by the group, ended {@code FAILED}
 * with a {@code TaskRejectedException}, written as the invocation's end, not handed back to run again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review18DurRetryRefusedIsARejectionTest {

    private static final LimiterConfig MAIL = ReviewSupport.oneAtATime(Duration.ofSeconds(5));

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member).group("mail", MAIL);
    }

    @Test
    void aRetryRefusedAfterAnAttemptHereIsARejection() throws Exception {
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
        CountDownLatch bAttempting = new CountDownLatch(1);
        CountDownLatch ownQueued = new CountDownLatch(1);
        CountDownLatch bFree = new CountDownLatch(1);
        List<TaskInfo> endsOfId = new CopyOnWriteArrayList<>();
        try {
            TaskId id = a.to(String.class).group("mail").retry(RetryPolicy.fixed(3, Duration.ZERO))
                    .durable("send", "mail-1").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            try (TaskOrchestrator b = on(bStore, "b").handler("send", String.class, mail -> {
                runsOnB.incrementAndGet();
                bAttempting.countDown();
                ownQueued.await();
                throw new IllegalStateException("first attempt on b fails");
            }).build()) {
                b.addListener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (task.id().equals(id)) {
                            endsOfId.add(task);
                        }
                    }
                });
                aStore.down = true; // a dies running the invocation
                assertThat(bAttempting.await(60, TimeUnit.SECONDS)).as("b runs the re-run").isTrue();
                // b's own task queues behind the attempt, takes the permit as it fails, and keeps it: the retry
                // waits longer than the group's maxWait and is refused.
                SpawningTask<String> own = b.to(String.class).group("mail").run(() -> {
                    bFree.await();
                    return "own";
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> own.status() == TaskStatus.QUEUED);
                ownQueued.countDown();
                await().atMost(Duration.ofSeconds(60)).alias("the invocation ended")
                        .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
                assertThat(store.durable(id).map(DurableRecord::status)).contains("FAILED");
                assertThat(endsOfId).singleElement().satisfies(end -> {
                    assertThat(end.status()).isEqualTo(TaskStatus.FAILED);
                    assertThat(end.failure().type()).isEqualTo("TaskRejectedException");
                });
                assertThat(b.limiter("mail").rejected(RejectionReason.WAIT_TIMEOUT)).as("the retry's refusal counted")
                        .isEqualTo(1);
                assertThat(bStore.unrun.get()).isZero();
                assertThat(runsOnB.get()).isEqualTo(1);
                bFree.countDown();
                assertThat(own.join()).isEqualTo("own");
            }
        }
        finally {
            bFree.countDown();
            ownQueued.countDown();
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }
}
