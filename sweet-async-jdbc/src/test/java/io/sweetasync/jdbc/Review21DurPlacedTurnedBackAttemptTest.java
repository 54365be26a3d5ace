package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 21: a durable invocation placed on a member (stored owned by it, attempts 1: the placement's count of the
 * run it is to make there) whose shutdown turns it back before it ran ({@code DurableStarts.startable}: released
 * unrun) never made an attempt. The member that runs it next numbers that first real run attempt 1
 * ({@code TaskContext.attempt()}, the retry policy's count), not 2: the 1 the release kept ("the count marks a
 * stored invocation") was a phantom attempt. And that run is still a re-run: a group of that member full when it
 * comes turns it away unrun, handed over to a later look, never refused for good (Review17ReleaseUnrunFloorTest's
 * reason for that count).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review21DurPlacedTurnedBackAttemptTest {

    @Test
    void aPlacementTurnedBackUnrunRunsFirstAsAttemptOne() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        long placed = store.open("placed", Duration.ofSeconds(30)).number();
        TaskId id = TaskId.of(placed, 1);
        long now = System.currentTimeMillis();
        // as a placement stores it: attempts 1, owned by the member it is placed on, in group mail, not run yet
        store.enqueue(new DurableRecord(id.value(), "send", "\"mail-1\"", "PENDING", 1, placed, null, null, now),
                new TaskRecord(id.value(), 0, id.value(), "send", "PENDING", "NORMAL", "mail", "virtual", Map.of(),
                        now, 0, 0, 0, null, null, 0, 0, -1, -1, -1, -1, "UUUU", "placed", placed, true));
        store.releaseUnrun(placed, List.of(id)); // that member's shutdown turned it back before it ran

        ReviewSupport.CountingStore cStore = new ReviewSupport.CountingStore(store);
        List<Integer> runs = new CopyOnWriteArrayList<>();
        List<TaskInfo> endsOfId = new CopyOnWriteArrayList<>();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch free = new CountDownLatch(1);
        try (TaskOrchestrator c = ReviewSupport.durableMember(cStore, "c")
                .group("mail", ReviewSupport.oneAtATime(Duration.ofHours(1)))
                .handler("send", String.class, mail -> {
                    runs.add(TaskContext.current().orElseThrow().attempt());
                    return "sent " + mail;
                }).build()) {
            c.addListener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    if (task.id().equals(id)) {
                        endsOfId.add(task);
                    }
                }
            });
            // c's group is full as it claims the invocation: one holds the permit, one waits in the queue
            SpawningTask<String> own = c.to(String.class).group("mail").run(() -> {
                busy.countDown();
                free.await();
                return "own";
            });
            assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = c.to(String.class).group("mail").run(() -> "queued");
            await().atMost(Duration.ofSeconds(60)).alias("c turned the re-run away unrun")
                    .until(() -> cStore.unrun.get() >= 1);
            assertThat(store.durable(id).map(DurableRecord::status)).as("a re-run, handed over, not refused for good")
                    .contains("PENDING");
            assertThat(endsOfId).allSatisfy(end -> assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED));

            free.countDown();
            assertThat(own.join()).isEqualTo("own");
            assertThat(queued.join()).isEqualTo("queued");
            await().atMost(Duration.ofSeconds(60)).alias("the invocation ended on c")
                    .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
            assertThat(store.durable(id).map(DurableRecord::status)).contains("COMPLETED");
            assertThat(runs).as("its first real run is attempt 1 (it ran nowhere before)").containsExactly(1);
            assertThat(store.durable(id).map(DurableRecord::attempts)).as("one run").contains(1);
        }
        finally {
            free.countDown();
        }
    }
}
