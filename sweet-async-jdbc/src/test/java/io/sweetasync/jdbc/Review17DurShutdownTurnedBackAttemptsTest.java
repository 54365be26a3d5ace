package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
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
 * Review 17: a dead member's durable invocation claimed by a member that begins shutting down before it starts the
 * run is handed back unrun ({@code DurableStarts.startable}). The claim counted an attempt that never ran: it must be
 * taken back ({@code TaskStore.releaseUnrun}), or every such shutdown leaves one phantom attempt, which the next
 * run's {@code TaskContext.attempt()} and its retry policy count on from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review17DurShutdownTurnedBackAttemptsTest {

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member);
    }

    /** Begins its member's shutdown as its first claim of something comes back, before the member starts it. */
    static final class ShutdownOnClaimStore extends ReviewSupport.GatedStore {
        final AtomicReference<TaskOrchestrator> member = new AtomicReference<>();
        final CountDownLatch claimedWhileStopping = new CountDownLatch(1);
        final CountDownLatch handedBack = new CountDownLatch(1);

        ShutdownOnClaimStore(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
            List<DurableRecord> claimed = super.claimOrphans(incarnation, handlers, limit);
            TaskOrchestrator orchestrator = member.get();
            if (!claimed.isEmpty() && orchestrator != null && claimedWhileStopping.getCount() > 0) {
                Thread.ofVirtual().start(() -> orchestrator.shutdown(Duration.ofSeconds(5)));
                await().atMost(Duration.ofSeconds(30)).until(() -> !orchestrator.isAccepting());
                claimedWhileStopping.countDown();
            }
            return claimed;
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
    void aClaimTurnedBackByTheShutdownCountsNoAttempt() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a").handler("send", String.class, mail -> {
            aRunning.countDown();
            never.await();
            return "never";
        }).build();
        List<Integer> runs = new CopyOnWriteArrayList<>();
        ShutdownOnClaimStore bStore = new ShutdownOnClaimStore(store);
        try {
            TaskId id = a.to(String.class).durable("send", "mail-1").run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            try (TaskOrchestrator b = on(bStore, "b").handler("send", String.class, mail -> {
                runs.add(-TaskContext.current().orElseThrow().attempt()); // b must not run it
                return "b";
            }).build()) {
                bStore.member.set(b);
                aStore.down = true; // a dies running the invocation (its run: attempt 1)
                assertThat(bStore.claimedWhileStopping.await(60, TimeUnit.SECONDS)).as("b claimed it, then stopped")
                        .isTrue();
                assertThat(bStore.handedBack.await(30, TimeUnit.SECONDS)).as("b handed it back").isTrue();
            }
            assertThat(store.durable(id).map(DurableRecord::attempts)).as("b's claim ran nothing: one attempt, a's")
                    .contains(1);
            try (TaskOrchestrator c = on(store, "c").handler("send", String.class, mail -> {
                runs.add(TaskContext.current().orElseThrow().attempt());
                return "sent " + mail;
            }).build()) {
                assertThat(c.isAccepting()).isTrue();
                await().atMost(Duration.ofSeconds(60)).alias("the invocation ended on c")
                        .until(() -> !store.durable(id).map(DurableRecord::status).orElse("PENDING").equals("PENDING"));
                assertThat(store.durable(id).map(DurableRecord::status)).contains("COMPLETED");
                assertThat(runs).as("the runs after a's (b ran none)").containsExactly(2);
                assertThat(store.durable(id).map(DurableRecord::attempts)).as("attempts: a's run and c's").contains(2);
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }
}
