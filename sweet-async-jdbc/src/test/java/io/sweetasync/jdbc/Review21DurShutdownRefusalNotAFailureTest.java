package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 21: a dead member's durable invocation claimed by a member whose shutdown begins as the re-run is made (the
 * orchestrator, no longer accepting, refuses the root at admission) never ran there: it is handed back unrun and
 * runs later elsewhere. As a bounce by a full group (Review17DurBounceNotAFailureTest), that refusal is no failure of
 * anyone's work: the listeners must not see a {@code FAILED} task with a {@code TaskRejectedException} (the tasks'
 * timer's {@code failed} outcome, the failure-rate alert) for work that then runs and completes. It ends
 * {@code CANCELLED}, its reason saying it runs again; the invocation stays pending, its claim's attempt taken back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review21DurShutdownRefusalNotAFailureTest {

    /** Counts the hand-backs of the store's invocations. */
    static final class HandBackStore extends ReviewSupport.GatedStore {
        final CountDownLatch handedBack = new CountDownLatch(1);

        HandBackStore(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public void releaseDurables(long owner, Collection<TaskId> ids) {
            super.releaseDurables(owner, ids);
            handedBack.countDown();
        }

        @Override
        public void releaseUnrun(long owner, Collection<TaskId> ids) {
            super.releaseUnrun(owner, ids);
            handedBack.countDown();
        }
    }

    @Test
    void aReRunRefusedByTheShutdownIsNoFailedTask() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = ReviewSupport.durableMember(aStore, "a").handler("send", String.class, mail -> {
            aRunning.countDown();
            never.await();
            return "never";
        }).build();
        List<Integer> runs = new CopyOnWriteArrayList<>();
        HandBackStore bStore = new HandBackStore(store);
        List<TaskInfo> endsOfId = new CopyOnWriteArrayList<>();
        List<TaskInfo> failedEnds = new CopyOnWriteArrayList<>();
        try {
            TaskId id = a.to(String.class).durable("send", "mail-1").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            AtomicReference<TaskOrchestrator> member = new AtomicReference<>();
            CountDownLatch stopping = new CountDownLatch(1);
            try (TaskOrchestrator b = ReviewSupport.durableMember(bStore, "b").handler("send", String.class, mail -> {
                runs.add(-TaskContext.current().orElseThrow().attempt()); // b must not run it
                return "b";
            }).build()) {
                member.set(b);
                b.addListener(new TaskListener() {
                    @Override
                    public void onCreated(TaskInfo task) {
                        // b begins shutting down as the re-run is made: the orchestrator refuses it at admission
                        TaskOrchestrator orchestrator = member.get();
                        if (task.id().equals(id) && stopping.getCount() > 0) {
                            Thread.ofVirtual().start(() -> orchestrator.shutdown(Duration.ofSeconds(5)));
                            await().atMost(Duration.ofSeconds(30)).until(() -> !orchestrator.isAccepting());
                            stopping.countDown();
                        }
                    }

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
                aStore.down = true; // a dies running the invocation (its run: attempt 1)
                assertThat(stopping.await(60, TimeUnit.SECONDS)).as("b claimed it, then began to stop").isTrue();
                assertThat(bStore.handedBack.await(30, TimeUnit.SECONDS)).as("b handed it back").isTrue();
                await().atMost(Duration.ofSeconds(30)).alias("b's run of it ended")
                        .until(() -> !endsOfId.isEmpty());
                assertThat(failedEnds).as("tasks b's listeners saw fail: a re-run refused unrun is no failure")
                        .isEmpty();
                assertThat(endsOfId).singleElement().satisfies(end -> {
                    assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
                    assertThat(end.failure()).isNotNull();
                    assertThat(end.failure().type()).doesNotContain("Rejected");
                    assertThat(end.failure().message()).contains("shutting down").contains("runs again");
                });
            }
            assertThat(store.durable(id).map(DurableRecord::status)).as("still pending").contains("PENDING");
            assertThat(store.durable(id).map(DurableRecord::attempts)).as("b's claim ran nothing: one attempt, a's")
                    .contains(1);
            try (TaskOrchestrator c = ReviewSupport.durableMember(store, "c").handler("send", String.class, mail -> {
                runs.add(TaskContext.current().orElseThrow().attempt());
                return "sent " + mail;
            }).build()) {
                await().atMost(Duration.ofSeconds(60)).alias("the invocation ended on c")
                        .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
                assertThat(store.durable(id).map(DurableRecord::status)).contains("COMPLETED");
                assertThat(runs).as("the runs after a's (b ran none)").containsExactly(2);
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }
}
