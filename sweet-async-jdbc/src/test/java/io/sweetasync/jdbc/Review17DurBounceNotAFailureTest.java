package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 17: a dead member's durable invocation claimed by a member whose group is full is turned away unrun and
 * handed over to run at a later look (a bounce). Nothing was rejected from its user's point of view: the invocation
 * stays pending and runs. The bounce must not reach the listeners as a {@code FAILED} task with a
 * {@code TaskRejectedException} (the {@code sweet.async.tasks} timer's {@code failed} outcome, the failure-rate
 * alert), nor the group's rejection count ({@code sweet.async.limit.rejected}, the "rising rejections" alert, whose
 * text says callers see {@code TaskRejectedException}). A new submission the full group turns away is rejected as
 * before: its caller gets the exception, the listeners see it {@code FAILED}, the group counts it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review17DurBounceNotAFailureTest {

    private static final LimiterConfig MAIL = ReviewSupport.oneAtATime(Duration.ofHours(1));

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member).group("mail", MAIL);
    }

    @Test
    void aBounceIsNoFailedTaskNorARejection() throws Exception {
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
        List<TaskInfo> endsOfId = new CopyOnWriteArrayList<>();
        List<TaskInfo> failedEnds = new CopyOnWriteArrayList<>();
        CountDownLatch bBusy = new CountDownLatch(1);
        CountDownLatch bFree = new CountDownLatch(1);
        try {
            TaskId id = a.to(String.class).group("mail").durable("send", "mail-1").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            try (TaskOrchestrator b = on(bStore, "b").handler("send", String.class, mail -> "sent " + mail).build()) {
                b.addListener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (task.id().equals(id)) {
                            endsOfId.add(task);
                        }
                        if (task.status() == TaskStatus.FAILED) {
                            failedEnds.add(task);
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
                await().atMost(Duration.ofSeconds(60)).alias("b turned the re-run away at two looks")
                        .until(() -> bStore.unrun.get() >= 2);
                assertThat(failedEnds).as("tasks b's listeners saw fail: a bounce is no failure").isEmpty();
                assertThat(b.limiter("mail").rejected(RejectionReason.QUEUE_FULL))
                        .as("rejections counted by group mail: a bounce rejects nobody's work").isZero();
                assertThat(endsOfId).as("each bounce ends the run b turned away, and says so")
                        .allSatisfy(end -> {
                            assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
                            assertThat(end.failure()).isNotNull();
                            assertThat(end.failure().type()).doesNotContain("Rejected");
                            assertThat(end.failure().message()).contains("group 'mail'").contains("runs again");
                        });

                // A new submission the full group turns away is still a rejection.
                SpawningTask<String> refused = b.to(String.class).group("mail").run(() -> "refused");
                assertThatThrownBy(refused::join).isInstanceOf(TaskRejectedException.class);
                await().atMost(Duration.ofSeconds(30)).alias("the listeners saw the new submission fail")
                        .until(() -> failedEnds.stream().anyMatch(end -> end.id().equals(refused.id())));
                assertThat(failedEnds).singleElement().satisfies(end -> {
                    assertThat(end.id()).isEqualTo(refused.id());
                    assertThat(end.failure().type()).isEqualTo("TaskRejectedException");
                });
                assertThat(b.limiter("mail").rejected(RejectionReason.QUEUE_FULL)).as("that rejection counted")
                        .isEqualTo(1);

                bFree.countDown();
                assertThat(own.join()).isEqualTo("own");
                assertThat(queued.join()).isEqualTo("queued");
                await().atMost(Duration.ofSeconds(60)).alias("the invocation ended")
                        .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
                assertThat(store.durable(id).map(DurableRecord::status)).contains("COMPLETED");
                await().atMost(Duration.ofSeconds(30)).alias("the listeners saw it complete")
                        .until(() -> endsOfId.stream().anyMatch(end -> end.status() == TaskStatus.COMPLETED));
                assertThat(failedEnds).as("still only the new submission failed").hasSize(1);
                assertThat(b.limiter("mail").rejected(RejectionReason.QUEUE_FULL)).isEqualTo(1);
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
