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
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 16: a re-run turned away unrun (its group full) is handed over, and its id was kept among the member's
 * handed-back invocations for the member's whole life, though the hand-over was committed. The looks at what the
 * member owns count those as known: when a later claim of the same invocation was committed but its answer lost
 * (what the looks are for, {@code OwnedDurables}), the invocation stayed owned by this live member, unrun, for as
 * long as it lived (nobody else claims it while its lease is renewed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review16DurStaleHandOverTest {

    private static final LimiterConfig MAIL = ReviewSupport.oneAtATime(Duration.ofHours(1));

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return ReviewSupport.durableMember(store, member).group("mail", MAIL);
    }

    /** A store whose next claim that takes something is committed, and its answer lost (a connection reset). */
    static final class LosingClaimAnswers extends ReviewSupport.GatedStore {
        volatile boolean loseNext;
        final CountDownLatch lost = new CountDownLatch(1);

        LosingClaimAnswers(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
            List<DurableRecord> claimed = super.claimOrphans(incarnation, handlers, limit);
            if (loseNext && !claimed.isEmpty()) {
                loseNext = false;
                lost.countDown();
                throw new IllegalStateException("connection reset after the claim's commit (test)");
            }
            return claimed;
        }
    }

    @Test
    void aClaimWhoseAnswerIsLostAfterAHandOverStillRuns() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        LosingClaimAnswers bStore = new LosingClaimAnswers(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a").handler("send", String.class, mail -> {
            aRunning.countDown();
            never.await();
            return "never";
        }).build();
        AtomicInteger bounces = new AtomicInteger();
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
                        if (task.id().equals(id) && task.status() == TaskStatus.CANCELLED && task.failure() != null
                                && task.failure().message().contains("turned away here before it ran")) {
                            bounces.incrementAndGet();
                        }
                    }
                });
                SpawningTask<String> own = b.to(String.class).group("mail").run(() -> {
                    bBusy.countDown();
                    bFree.await();
                    return "own";
                });
                assertThat(bBusy.await(30, TimeUnit.SECONDS)).isTrue();
                SpawningTask<String> queued = b.to(String.class).group("mail").run(() -> "queued");
                aStore.down = true; // a dies running the invocation
                await().atMost(Duration.ofSeconds(60)).alias("b turned the re-run away and handed it over")
                        .until(() -> bounces.get() >= 1
                                && store.durable(id).map(DurableRecord::owner).orElse(-1L) == 0L);
                bStore.loseNext = true;
                assertThat(bStore.lost.await(60, TimeUnit.SECONDS)).as("a claim of it answered lost").isTrue();
                bFree.countDown();
                assertThat(own.join()).isEqualTo("own");
                assertThat(queued.join()).isEqualTo("queued");
                await().atMost(Duration.ofSeconds(60)).alias("the invocation b owns without knowing it, run by a look")
                        .until(() -> store.durable(id).map(DurableRecord::status).orElse("").equals("COMPLETED"));
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
