package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 16: a dead member's durable invocation claimed by a member whose group stays full is turned away unrun and
 * handed over at every look, and claimed again at the next. Each of those bounces is no run: it must not use up the
 * attempts the invocation's retry policy allows ("claimed again (attempt + 1) until it succeeds or its retry policy
 * gives up"; "durable tasks run at least once"), nor tell the re-run it is a later attempt than it is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review16DurBouncedRerunAttemptsTest {

    private static final LimiterConfig MAIL = ReviewSupport.oneAtATime(Duration.ofHours(1));

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member).group("mail", MAIL);
    }

    @Test
    void bouncesOffAFullGroupUseUpNoAttempts() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a").handler("send", String.class, mail -> {
            aRunning.countDown();
            never.await();
            return "never";
        }).build();
        List<Integer> attemptsOnB = new CopyOnWriteArrayList<>();
        AtomicInteger bounces = new AtomicInteger();
        CountDownLatch bBusy = new CountDownLatch(1);
        CountDownLatch bFree = new CountDownLatch(1);
        try {
            // Three attempts in all: a's run (lost with a), then two on b (the first fails, the second succeeds).
            TaskId id = a.to(String.class).group("mail").retry(RetryPolicy.fixed(2, Duration.ZERO))
                    .durable("send", "mail-1").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            try (TaskOrchestrator b = on(store, "b").handler("send", String.class, mail -> {
                int attempt = TaskContext.current().orElseThrow().attempt();
                attemptsOnB.add(attempt);
                if (attemptsOnB.size() == 1) {
                    throw new IOException("mail server busy (test)");
                }
                return "sent " + mail;
            }).build()) {
                b.addListener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (task.id().equals(id) && task.status() == TaskStatus.CANCELLED && task.failure() != null
                                && task.failure().message().contains("turned away here before it ran")) {
                            bounces.incrementAndGet();
                        }
                    }
                });
                // b's own work fills the group: one holds its permit, one waits in its queue.
                SpawningTask<String> own = b.to(String.class).group("mail").run(() -> {
                    bBusy.countDown();
                    bFree.await();
                    return "own";
                });
                assertThat(bBusy.await(30, TimeUnit.SECONDS)).isTrue();
                SpawningTask<String> queued = b.to(String.class).group("mail").run(() -> "queued");
                aStore.down = true; // a dies running the invocation
                await().atMost(Duration.ofSeconds(60)).alias("b turned the re-run away at three looks")
                        .until(() -> bounces.get() >= 3);
                bFree.countDown();
                assertThat(own.join()).isEqualTo("own");
                assertThat(queued.join()).isEqualTo("queued");
                await().atMost(Duration.ofSeconds(60)).alias("the invocation ended")
                        .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
                assertThat(store.durable(id).map(DurableRecord::status)).as("retried as its policy allows")
                        .contains("COMPLETED");
                assertThat(attemptsOnB).as("the attempts of the runs on b (a's was the first)").containsExactly(2, 3);
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
