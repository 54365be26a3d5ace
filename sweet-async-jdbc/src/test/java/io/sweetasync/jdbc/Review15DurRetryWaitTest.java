package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review 15: a durable task between two attempts (its first failed, its retry waits out a long backoff) when its
 * member stops, gracefully or not: the invocation is neither ended for good nor lost, the next member runs it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review15DurRetryWaitTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    private static String durableStatus(TaskStore store, TaskId id) {
        return store.durable(id).map(DurableRecord::status).orElse("<none>");
    }

    private static String status(TaskStore store, TaskId id) {
        return store.find(id).map(TaskRecord::status).orElse("<none>");
    }

    /** A handler whose first attempt fails (retried after an hour) and that records each attempt it is told. */
    private static TaskOrchestrator failingFirst(TaskStore store, String member, List<Integer> attempts,
            CountDownLatch failed) {
        return on(store, member).handler("charge", String.class, order -> {
            int attempt = TaskContext.current().orElseThrow().attempt();
            attempts.add(attempt);
            if (attempt == 1) {
                failed.countDown();
                throw new IOException("mail server busy");
            }
            return "charged " + order + " at attempt " + attempt;
        }).build();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aGracefulCloseDuringARetrysBackoffHandsTheInvocationOver(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        CountDownLatch failed = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = failingFirst(store, "a", attempts, failed)) {
            id = a.to(String.class).retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofHours(1))))
                    .durable("charge", "order-1").run().id();
            assertThat(failed.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
        }
        assertThat(durableStatus(store, id)).as("the invocation after a close during its backoff").isEqualTo("PENDING");
        try (TaskOrchestrator b = failingFirst(store, "b", attempts, new CountDownLatch(1))) {
            await().atMost(Duration.ofSeconds(60)).alias("the next member runs the retry")
                    .until(() -> !durableStatus(store, id).equals("PENDING"));
            assertThat(durableStatus(store, id)).isEqualTo("COMPLETED");
            assertThat(b.storedResult(id, String.class).orElseThrow().orElseThrow())
                    .isEqualTo("charged order-1 at attempt 2");
            await().atMost(Duration.ofSeconds(30)).until(() -> status(store, id).equals("COMPLETED"));
        }
        assertThat(attempts).containsExactly(1, 2);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCrashDuringARetrysBackoffLeavesTheInvocationToTheNextMember(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        CountDownLatch failed = new CountDownLatch(1);
        TaskOrchestrator a = failingFirst(aStore, "a", attempts, failed);
        try {
            TaskId id = a.to(String.class)
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofHours(1))))
                    .durable("charge", "order-2").run().id();
            assertThat(failed.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            aStore.down = true; // a dies waiting out the backoff
            try (TaskOrchestrator b = failingFirst(store, "b", attempts, new CountDownLatch(1))) {
                await().atMost(Duration.ofSeconds(60)).alias("the next member runs the retry")
                        .until(() -> !durableStatus(store, id).equals("PENDING"));
                assertThat(durableStatus(store, id)).isEqualTo("COMPLETED");
                assertThat(b.storedResult(id, String.class).orElseThrow().orElseThrow()).startsWith("charged order-2");
            }
            assertThat(attempts).first().isEqualTo(1);
            assertThat(attempts.get(attempts.size() - 1)).as("attempts count on: %s", attempts).isGreaterThan(1);
        }
        finally {
            aStore.down = false;
            a.close();
        }
    }
    /**
     * A live member's looks at what it owns (each lease renewal) while a retry waits out its backoff over several
     * leases: the invocation is its own and known, so it is run once per attempt, never a second time beside it.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aRetryWaitingOverSeveralLeasesIsNotRunTwice(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore gated = new ReviewSupport.GatedStore(store);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        CountDownLatch failed = new CountDownLatch(1);
        try (TaskOrchestrator a = failingFirst(gated, "a", attempts, failed)) {
            TaskId id = a.to(String.class)
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofSeconds(6))))
                    .durable("charge", "order-3").run().id();
            assertThat(failed.await(30, TimeUnit.SECONDS)).isTrue();
            int renewed = gated.renewals.get();
            await().atMost(Duration.ofSeconds(30)).alias("several looks during the backoff")
                    .until(() -> gated.renewals.get() >= renewed + 3);
            assertThat(attempts).as("no run beside the waiting retry").containsExactly(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> durableStatus(store, id).equals("COMPLETED"));
            assertThat(a.storedResult(id, String.class).orElseThrow().orElseThrow())
                    .isEqualTo("charged order-3 at attempt 2");
        }
        assertThat(attempts).containsExactly(1, 2);
    }
}
