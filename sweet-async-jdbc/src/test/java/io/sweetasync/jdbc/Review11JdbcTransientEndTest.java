package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 11 (jdbc): a store that fails a moment (a connection dropped, a failover) while the writer writes the ends
 * of durable tasks. SPEC §6: "a terminal status reaches the store within flush-interval", "durable results are kept
 * so a caller can read them later by id"; a store that fails "never ... silently" loses what it could not write and
 * retries it. The writer's one-by-one fallback takes a transient failure of any end but the first for the database
 * refusing that end: it writes the end without its result (a good result lost for good: storedResult reads
 * Ok(null)), and at a second failure drops the end altogether (the completed invocation stays PENDING while its
 * member lives, and runs again once it stops).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review11JdbcTransientEndTest {

    /**
     * A store whose {@code finishDurables} fails once, and whose {@code finishDurable} fails at the calls numbered in
     * {@code failAt} (1-based), each failure a moment's: every other call goes through.
     */
    static TaskStore flakyEnds(TaskStore delegate, AtomicInteger batchFailures, List<Integer> failAt) {
        AtomicInteger singles = new AtomicInteger();
        return (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] { TaskStore.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("finishDurables") && batchFailures.getAndDecrement() > 0) {
                        throw new IllegalStateException("connection reset (test: a moment's failure)");
                    }
                    if (method.getName().equals("finishDurable") && failAt.contains(singles.incrementAndGet())) {
                        throw new IllegalStateException("connection reset (test: a moment's failure)");
                    }
                    try {
                        return method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member, Map<String, AtomicInteger> runs) {
        // A flush interval of an hour: the test flushes by itself (flushStore), so both ends go in one batch.
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofHours(1)).storeLease(Duration.ofHours(3))
                .handler("greet", String.class, name -> {
                    runs.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                    return "hello " + name;
                });
    }

    /** One failure of one end (after the batch failed): its result is lost for good, though the store is back. */
    @Test
    void aMomentsFailureOfAnEndDoesNotLoseItsResult() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger batchFailures = new AtomicInteger(1);
        try (TaskOrchestrator member = on(flakyEnds(store, batchFailures, List.of(2)), "m", runs).build()) {
            SpawningTask<String> ann = member.to(String.class).durable("greet", "ann").run();
            SpawningTask<String> bob = member.to(String.class).durable("greet", "bob").run();
            assertThat(ann.join()).isEqualTo("hello ann");
            assertThat(bob.join()).isEqualTo("hello bob");
            member.flushStore(); // the batch fails, then one by one: the second end fails a moment
            member.flushStore(); // the store works again
            member.flushStore();
            assertThat(member.storedResult(ann.id(), String.class)).as("ann's stored result")
                    .contains(TaskResult.ok("hello ann"));
            assertThat(member.storedResult(bob.id(), String.class)).as("bob's stored result")
                    .contains(TaskResult.ok("hello bob"));
        }
    }

    /**
     * Two failures in a row of one end: the end is dropped; the invocation of a task that completed stays PENDING
     * for as long as its member lives, the store working again, and after the member closes the task runs again.
     */
    @Test
    void twoMomentaryFailuresOfAnEndDoNotStrandACompletedInvocation() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger batchFailures = new AtomicInteger(1);
        SpawningTask<String> ann;
        SpawningTask<String> bob;
        try (TaskOrchestrator member = on(flakyEnds(store, batchFailures, List.of(2, 3)), "m", runs).build()) {
            ann = member.to(String.class).durable("greet", "ann").run();
            bob = member.to(String.class).durable("greet", "bob").run();
            assertThat(ann.join()).isEqualTo("hello ann");
            assertThat(bob.join()).isEqualTo("hello bob");
            member.flushStore();
            for (int i = 0; i < 5; i++) {
                Thread.sleep(200);
                member.flushStore(); // the store works again
            }
            DurableRecord annEnd = store.durable(ann.id()).orElseThrow();
            DurableRecord bobEnd = store.durable(bob.id()).orElseThrow();
            assertThat(List.of(annEnd.status(), bobEnd.status()))
                    .as("the ends of two durable tasks that completed, their member alive and its store working for a "
                            + "second").containsExactly("COMPLETED", "COMPLETED");
        }
        finally {
            // What the stranded end leads to: the next start runs a task that completed once more.
            try (TaskOrchestrator next = on(store, "next", runs).storeFlushInterval(Duration.ofMillis(50))
                    .storeLease(Duration.ofSeconds(1)).build()) {
                Thread.sleep(3000);
                System.out.println("runs after a restart: " + runs);
            }
        }
        assertThat(runs.values()).as("runs of each task").allSatisfy(n -> assertThat(n).hasValue(1));
    }

    /**
     * A store whose {@code save} of more than one record fails once, and whose {@code save} of one record fails at the
     * calls numbered in {@code failAt} (1-based), each a moment's failure.
     */
    static TaskStore flakySaves(TaskStore delegate, AtomicInteger batchFailures, List<Integer> failAt) {
        AtomicInteger singles = new AtomicInteger();
        return (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] { TaskStore.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("save")) {
                        int size = ((java.util.Collection<?>) args[0]).size();
                        if (size > 1 && batchFailures.getAndDecrement() > 0) {
                            throw new IllegalStateException("connection reset (test: a moment's failure)");
                        }
                        if (size == 1 && failAt.contains(singles.incrementAndGet())) {
                            throw new IllegalStateException("connection reset (test: a moment's failure)");
                        }
                    }
                    try {
                        return method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    /**
     * One failure of one durable task's terminal record (after the batch failed): the record is dropped, its
     * invocation's end written all the same. The history says PENDING for ever (another member's find, the endpoint,
     * a query by status), and a record whose completed_at is 0 is never purged.
     */
    @Test
    void aMomentsFailureOfADurableTasksRecordDoesNotLeaveItsHistoryPendingForEver() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger batchFailures = new AtomicInteger(1);
        try (TaskOrchestrator member = on(flakySaves(store, batchFailures, List.of(2)), "m", runs).build()) {
            SpawningTask<String> ann = member.to(String.class).durable("greet", "ann").run();
            SpawningTask<String> bob = member.to(String.class).durable("greet", "bob").run();
            assertThat(ann.join()).isEqualTo("hello ann");
            assertThat(bob.join()).isEqualTo("hello bob");
            for (int i = 0; i < 5; i++) {
                member.flushStore();
            }
            assertThat(store.durable(ann.id()).orElseThrow().status()).isEqualTo("COMPLETED");
            assertThat(store.durable(bob.id()).orElseThrow().status()).isEqualTo("COMPLETED");
            assertThat(List.of(store.find(ann.id()).orElseThrow().status(), store.find(bob.id()).orElseThrow().status()))
                    .as("the history records of two durable tasks whose ends are stored COMPLETED")
                    .containsExactly("COMPLETED", "COMPLETED");
        }
    }
}
