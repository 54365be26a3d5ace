package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promises of durable task state (SPEC §6) a hostile review found broken; each test failed before its fix
 * (a flush overwriting a terminal record, durable work lost at close or with a full buffer, a lease
 * lapsing between slow writes, re-runs losing their name, close hanging on a hung store, one bad record
 * poisoning its batch, cut tags).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableReviewTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    private static String status(TaskStore store, TaskId id) {
        return store.find(id).map(TaskRecord::status).orElse("<none>");
    }

    private static String durableStatus(TaskStore store, TaskId id) {
        return store.durable(id).map(DurableRecord::status).orElse("<none>");
    }

    // ---- 1. the sync thread's flush racing flushStore()/close(): an older RUNNING record overwrites the terminal one

    @ParameterizedTest
    @MethodSource("databases")
    void aConcurrentFlushNeverOverwritesATerminalRecordWithAnOlderOne(Databases.Database database) throws Exception {
        JdbcTaskStore real = database.newStore();
        ReviewSupport.GatedStore store = new ReviewSupport.GatedStore(real);
        store.hold = records -> records.stream().anyMatch(r -> r.name().equals("victim") && r.status().equals("RUNNING"));
        CountDownLatch finish = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = on(store, "a").build()) {
            SpawningTask<String> victim = orchestrator.to(String.class).named("victim").run(() -> {
                finish.await();
                return "done";
            });
            // The sync thread has read the RUNNING snapshot and is about to write it (a slow store round trip).
            assertThat(store.holding.await(30, TimeUnit.SECONDS)).isTrue();
            finish.countDown();
            assertThat(victim.join()).isEqualTo("done");
            // A second flush (public API; close() does the same) while the slow one is in flight: flushes are
            // serialized, so it runs after the stale write, and the terminal record is the last one written.
            java.util.concurrent.CompletableFuture<Boolean> second = java.util.concurrent.CompletableFuture
                    .supplyAsync(orchestrator::flushStore);
            store.release.countDown();
            assertThat(store.heldWritten.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(status(real, victim.id())).as("the terminal record, after the stale write landed").isEqualTo("COMPLETED");
        }
        finally {
            store.release.countDown();
            finish.countDown();
        }
    }

    // ---- 2. a durable task still running at close() ends CANCELLED for good and never runs again

    @ParameterizedTest
    @MethodSource("databases")
    void aDurableTaskInterruptedByCloseRunsAgainOnTheNextMember(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = on(store, "a").handler("charge", String.class, order -> {
            started.countDown();
            new CountDownLatch(1).await(); // a long call, interrupted by close()
            return "charged on a";
        }).build()) {
            id = a.to(String.class).durable("charge", "order-1").run().id();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        }
        try (TaskOrchestrator b = on(store, "b").handler("charge", String.class, order -> "charged on b").build()) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(durableStatus(store, id))
                    .as("durable invocation interrupted by a graceful close (it never finished a run)")
                    .isEqualTo("COMPLETED"));
            assertThat(b.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("charged on b");
        }
    }

    /**
     * A run stopped by a graceful close (a rolling deployment) is handed over, not lost: it does not count
     * towards the ten lost runs after which an invocation is given up (which guard against an invocation that
     * kills its process). Twelve members, each closed while the task runs, then a thirteenth completes it;
     * every run is told its attempt. Before, the eleventh claim gave it up: "its process stopped during 10
     * runs in a row".
     */
    @ParameterizedTest
    @MethodSource("databases")
    void runsStoppedByAGracefulCloseAreNotCountedAsLost(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TaskId id = null;
        for (int deployment = 1; deployment <= 12; deployment++) {
            CountDownLatch started = new CountDownLatch(1);
            try (TaskOrchestrator member = on(store, "m" + deployment).handler("report", String.class, month -> {
                attempts.add(TaskContext.current().orElseThrow().attempt());
                started.countDown();
                new CountDownLatch(1).await(); // a long report, interrupted by close()
                return "never";
            }).build()) {
                if (id == null) {
                    id = member.to(String.class).durable("report", "2026-11").run().id();
                }
                assertThat(started.await(30, TimeUnit.SECONDS)).as("run on deployment %d", deployment).isTrue();
            }
        }
        TaskId report = id;
        try (TaskOrchestrator last = on(store, "m13").handler("report", String.class, month -> "report of " + month)
                .build()) {
            await().alias("the report completed on the thirteenth member").atMost(Duration.ofSeconds(20))
                    .until(() -> !durableStatus(store, report).equals("PENDING"));
            assertThat(durableStatus(store, report)).isEqualTo("COMPLETED");
            assertThat(last.storedResult(report, String.class).orElseThrow().orElseThrow()).isEqualTo("report of 2026-11");
        }
        assertThat(attempts).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    }

    // ---- 3. a durable task not tracked because the buffer was full never has its end written

    @ParameterizedTest
    @MethodSource("databases")
    void aDurableTaskEndsInTheStoreEvenWhenTheRecordBufferWasFull(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch hold = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = on(store, "a").storeMaxPending(1).handler("echo", String.class, s -> s)
                .build()) {
            SpawningTask<String> busy = orchestrator.to(String.class).named("busy").run(() -> {
                hold.await();
                return "";
            });
            SpawningTask<String> durable = orchestrator.to(String.class).durable("echo", "hi").run();
            assertThat(durable.join()).isEqualTo("hi");
            hold.countDown();
            busy.join();
            assertThat(orchestrator.flushStore()).isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(durableStatus(store, durable.id()))
                    .as("a durable task that completed (stored PENDING at run())").isEqualTo("COMPLETED"));
        }
        finally {
            hold.countDown();
        }
    }

    // ---- 4. a member whose lease expired (partition) overwrites the end written by the member that took it over


    // ---- 5. flush interval above a third of the lease: a live member is declared dead

    @ParameterizedTest
    @MethodSource("databases")
    void aLiveMembersTasksAreNotLostWhateverItsFlushInterval(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch hold = new CountDownLatch(1);
        TaskOrchestrator a;
        try {
            a = TaskOrchestrator.builder().store(store).member("a").storeLease(Duration.ofSeconds(1))
                    .storeFlushInterval(Duration.ofSeconds(2)).build();
        }
        catch (IllegalArgumentException rejected) {
            return; // rejecting the combination is a fix too
        }
        try (a; TaskOrchestrator b = on(store, "b").build()) {
            SpawningTask<String> live = a.to(String.class).named("live").run(() -> {
                hold.await();
                return "ok";
            });
            // first the record as running (a loaded machine may take a flush or two to write it), then it must stay
            // so for 4 s (four leases)
            await().alias("the live task's record says RUNNING").atMost(Duration.ofSeconds(30)).until(() -> store
                    .find(live.id()).map(r -> r.status() + " " + r.failureType()).orElse("<none>").equals("RUNNING null"));
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(
                    store.find(live.id()).map(r -> r.status() + " " + r.failureType()).orElse("<none>"))
                    .as("record of a task still running on live member a (lease 1s, flush interval 2s)")
                    .isEqualTo("RUNNING null"));
        }
        finally {
            hold.countDown();
        }
    }

    // ---- 6./7. a durable task submitted in an open transaction: the sync thread blocks on its row; rollback leaves a record



    // ---- 8. a re-run forgets what the task was submitted with

    @ParameterizedTest
    @MethodSource("databases")
    void aReRunKeepsTheNameAndTagsItWasSubmittedWith(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = hangingUntilItDies(aStore, started, never);
        try {
            SpawningTask<String> sent = a.to(String.class).named("invoice-42").tag("tenant", "acme")
                    .priority(io.sweetasync.TaskPriority.HIGH).group("mail").timeout(Duration.ofMinutes(5))
                    .durable("send-invoice", "inv").run();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            aStore.down = true; // a dies
            try (TaskOrchestrator b = on(store, "b").handler("send-invoice", String.class, s -> s).build()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> durableStatus(store, sent.id()).equals("COMPLETED"));
                await().atMost(Duration.ofSeconds(30)).until(() -> status(store, sent.id()).equals("COMPLETED"));
                TaskRecord rerun = store.find(sent.id()).orElseThrow();
                assertThat(rerun.attempts()).isEqualTo(2);
                assertThat(rerun.name()).as("the name of the re-run task").isEqualTo("invoice-42");
                assertThat(rerun.tags()).containsEntry("tenant", "acme");
                assertThat(rerun.priority()).isEqualTo("HIGH");
                assertThat(rerun.group()).isEqualTo("mail");
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aReRunKeepsTheRetryPolicyAndTimeoutItWasSubmittedWith(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = hangingUntilItDies(aStore, started, never);
        try {
            // Retried on IOException up to 3 times: B's runs fail twice, then complete. Under B's defaults (no
            // retry) the re-run failed for good at its first IOException.
            SpawningTask<String> retried = a.to(String.class).named("retried")
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(10))))
                    .durable("send-invoice", "retried").run();
            // A 2 s timeout (A dies well before it): B's run hangs, and ends TIMED_OUT. Under B's defaults (none)
            // it hung for ever.
            SpawningTask<String> bounded = a.to(String.class).named("bounded").timeout(Duration.ofSeconds(2))
                    .durable("send-invoice", "bounded").run();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            aStore.down = true; // a dies
            AtomicInteger failures = new AtomicInteger();
            CountDownLatch hang = new CountDownLatch(1);
            try (TaskOrchestrator b = on(store, "b").handler("send-invoice", String.class, s -> {
                if (s.equals("bounded")) {
                    hang.await();
                }
                if (failures.incrementAndGet() <= 2) {
                    throw new IOException("mail server busy");
                }
                return s;
            }).build()) {
                await().atMost(Duration.ofSeconds(30)).alias("the hanging re-run ended by its own timeout")
                        .until(() -> durableStatus(store, bounded.id()).equals("TIMED_OUT"));
                await().atMost(Duration.ofSeconds(30)).alias("the re-run retried under its own policy")
                        .until(() -> durableStatus(store, retried.id()).equals("COMPLETED"));
                assertThat(failures).hasValue(3);
                await().atMost(Duration.ofSeconds(30)).until(() -> status(store, retried.id()).equals("COMPLETED"));
                assertThat(store.find(retried.id()).orElseThrow().attempts())
                        .as("the lost run, two failed re-runs and the one that completed").isEqualTo(4);
            }
            finally {
                hang.countDown();
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /** Member A, whose handler counts {@code started} down and hangs until {@code never}: it dies running. */
    private static TaskOrchestrator hangingUntilItDies(ReviewSupport.GatedStore aStore, CountDownLatch started,
            CountDownLatch never) {
        return on(aStore, "a").handler("send-invoice", String.class, s -> {
            started.countDown();
            never.await();
            return s;
        }).build();
    }

    // ---- 9. close() while the store hangs

    @Test
    void closeIsBoundedWhileTheStoreHangs() {
        ReviewSupport.GatedStore store = new ReviewSupport.GatedStore(Databases.h2().newStore());
        TaskOrchestrator orchestrator = on(store, "a").build();
        try {
            assertThat(orchestrator.to(String.class).run(() -> "a").join()).isEqualTo("a");
            store.hang = true; // e.g. a black-holed connection or an exhausted pool: every call blocks
            assertThat(orchestrator.to(String.class).run(() -> "b").join()).isEqualTo("b");
            assertTimeoutPreemptively(Duration.ofSeconds(20), orchestrator::close,
                    "close() of an orchestrator whose store hangs");
        }
        finally {
            store.release.countDown();
            orchestrator.close();
        }
    }

    // ---- 11. a durable task given up after 10 lost runs stays live in the history forever


    // ---- 12./13./14. one bad record poisons the batch forever; a cut tag makes the history unreadable

    @ParameterizedTest
    @MethodSource("databases")
    void aLongGroupNameDoesNotPoisonTheRecordsOfOtherTasks(Databases.Database database) {
        // The API refuses a group over 100 characters now (HostileInputsTest); the store still keeps a record
        // whose group is over its column in a batch without failing the batch's other records.
        JdbcTaskStore store = database.newStore();
        long incarnation = store.open("a", Duration.ofSeconds(30)).number();
        TaskRecord plain = JdbcTaskStoreTest.record(TaskId.of(incarnation, 1).value(), "COMPLETED", "plain",
                incarnation, false, 1_000);
        TaskRecord r = JdbcTaskStoreTest.record(TaskId.of(incarnation, 2).value(), "COMPLETED", "grouped", incarnation,
                false, 1_000);
        TaskRecord grouped = new TaskRecord(r.id(), r.parentId(), r.rootId(), r.name(), r.status(), r.priority(),
                "g".repeat(201), r.runtime(), r.tags(), r.createdAt(), r.startedAt(), r.completedAt(), r.attempts(),
                r.failureType(), r.failureMessage(), r.queueWaitNanos(), r.runNanos(), r.cpuNanos(), r.allocatedBytes(),
                r.bytesRead(), r.bytesWritten(), r.resourceSources(), r.member(), r.incarnation(), r.durable());
        store.save(List.of(grouped, plain));
        assertThat(status(store, new TaskId(plain.id()))).as("record of an ordinary task saved with a long-group one")
                .isEqualTo("COMPLETED");
        assertThat(store.find(new TaskId(grouped.id())).orElseThrow().group()).hasSize(200);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailureMessageWithANulCharacterDoesNotPoisonTheRecordsOfOtherTasks(Databases.Database database) {
        Assumptions.assumeTrue(database.name().equals("PostgreSQL"), "PostgreSQL text cannot hold NUL");
        JdbcTaskStore store = database.newStore();
        try (TaskOrchestrator orchestrator = on(store, "a").build()) {
            orchestrator.to(String.class).named("parse").run(() -> {
                throw new IllegalArgumentException("unexpected byte \u0000 at offset 3");
            }).result();
            SpawningTask<String> plain = orchestrator.to(String.class).named("plain").run(() -> "plain");
            plain.join();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(store, plain.id()))
                    .as("record of an ordinary task flushed with one whose failure message has a NUL")
                    .isEqualTo("COMPLETED"));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aLongNonAsciiTagKeepsTheHistoryReadable(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        try (TaskOrchestrator orchestrator = on(store, "a").build()) {
            SpawningTask<String> tagged = orchestrator.to(String.class).named("tagged").tag("note", "é".repeat(1000))
                    .run(() -> "x");
            tagged.join();
            assertThat(orchestrator.flushStore()).isTrue();
            assertThatCode(() -> store.find(tagged.id())).as("reading the record back").doesNotThrowAnyException();
            assertThat(store.find(tagged.id()).orElseThrow().tags()).as("a 1,000-character accented value, kept whole")
                    .containsEntry("note", "é".repeat(1000));
            assertThatCode(() -> orchestrator.stored(new TaskQuery(null, null, null, 0, 20)))
                    .as("a page of history containing it").doesNotThrowAnyException();
        }
    }

    // ---- still open: stale owners, transactions, given-up durables

    @ParameterizedTest
    @MethodSource("databases")
    void aStaleOwnerCannotOverwriteTheEndOfAReclaimedDurableTask(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch aGo = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a").handler("pay", String.class, order -> {
            if (TaskContext.current().orElseThrow().attempt() == 1) {
                aStarted.countDown();
                aGo.await();
                throw new IllegalStateException("payment gateway timed out on a");
            }
            return "paid";
        }).build();
        try {
            SpawningTask<String> onA = a.to(String.class).durable("pay", "order-7").run();
            assertThat(aStarted.await(30, TimeUnit.SECONDS)).isTrue();
            aStore.down = true; // a network partition: a cannot renew its lease, b takes the invocation over
            try (TaskOrchestrator b = on(store, "b").handler("pay", String.class, order -> "paid on b").build()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> durableStatus(store, onA.id()).equals("COMPLETED"));
                await().atMost(Duration.ofSeconds(30)).until(() -> status(store, onA.id()).equals("COMPLETED"));
                aGo.countDown(); // a's run, superseded long ago, now fails
                assertThat(onA.result().isOk()).isFalse();
                aStore.down = false; // the partition heals
                await().atMost(Duration.ofSeconds(30)).until(() -> a.storeStatistics().orElseThrow().pending() == 0);
                DurableRecord end = store.durable(onA.id()).orElseThrow();
                assertThat(end.owner()).isEqualTo(b.storeStatistics().orElseThrow().incarnation());
                assertThat(end.status()).as("the invocation the owner b completed").isEqualTo("COMPLETED");
                assertThat(store.find(onA.id()).orElseThrow().status()).isEqualTo("COMPLETED");
            }
        }
        finally {
            aGo.countDown();
            aStore.down = false;
            a.close();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anOpenTransactionThatSubmittedADurableTaskDoesNotStallTheStore(Databases.Database database) throws Exception {
        ReviewSupport.ThreadBoundDataSource tx = new ReviewSupport.ThreadBoundDataSource(database.dataSource());
        String prefix = "rv" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000 + "_";
        JdbcTaskStore store = new JdbcTaskStore(tx, prefix);
        store.initializeSchema();
        JdbcTaskStore outside = new JdbcTaskStore(database.dataSource(), prefix);
        try (TaskOrchestrator orchestrator = on(store, "a").durableStartGate(tx.gate())
                .handler("mail", String.class, s -> s).build()) {
            SpawningTask<String> control = orchestrator.to(String.class).named("control").run(() -> "x");
            control.join();
            await().alias("the control task's record").atMost(Duration.ofSeconds(30))
                    .until(() -> status(outside, control.id()).equals("COMPLETED"));
            tx.begin();
            try {
                orchestrator.to(String.class).durable("mail", "welcome").run(); // stored in the transaction, starts after commit
                // Meanwhile, unrelated work finishes on this member. Were the sync thread to write the durable
                // task's record now (as it writes every new task's), it would wait on the transaction's row lock,
                // and every record behind it with it.
                SpawningTask<String> other = orchestrator.to(String.class).named("other").run(() -> "x");
                other.join();
                // (a store stalled by the transaction writes nothing until the finally below: 30 s only bounds the wait)
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        outside.find(other.id()).map(TaskRecord::status))
                        .as("an unrelated task's terminal record, while the submitting transaction is still open")
                        .hasValue("COMPLETED"));
            }
            finally {
                tx.end(false);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRolledBackDurableTaskLeavesNoRecord(Databases.Database database) throws Exception {
        ReviewSupport.ThreadBoundDataSource tx = new ReviewSupport.ThreadBoundDataSource(database.dataSource());
        String prefix = "rw" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000 + "_";
        JdbcTaskStore store = new JdbcTaskStore(tx, prefix);
        store.initializeSchema();
        JdbcTaskStore outside = new JdbcTaskStore(database.dataSource(), prefix);
        try (TaskOrchestrator orchestrator = on(store, "a").durableStartGate(tx.gate())
                .handler("mail", String.class, s -> s).build()) {
            tx.begin();
            SpawningTask<String> mail;
            try {
                mail = orchestrator.to(String.class).durable("mail", "welcome").run();
                // A flush in which the store could write the new task's record (PENDING) on a connection of its
                // own (not the transaction's: another thread), which a rollback would not undo.
                assertThat(java.util.concurrent.CompletableFuture.supplyAsync(orchestrator::flushStore)
                        .get(30, TimeUnit.SECONDS)).isTrue();
            }
            finally {
                tx.end(false); // rollback: the gate abandons the task
            }
            assertThat(mail.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(orchestrator.flushStore()).isTrue();
            assertThat(outside.durable(mail.id())).isEmpty();
            assertThat(outside.find(mail.id()).map(TaskRecord::status)).as("the task record of a rolled-back durable task")
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aGivenUpDurableTaskEndsFailedInTheHistoryToo(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        TaskStore.Incarnation dead = store.open("crashing", Duration.ofSeconds(1));
        TaskId id = TaskId.of(dead.number(), 1);
        long now = System.currentTimeMillis();
        // What ten crashes in a row leave behind: attempts 10, owner the last (dead) incarnation, task record RUNNING.
        store.enqueue(new DurableRecord(id.value(), "poison", "\"x\"", "PENDING", 10, dead.number(), null, null, now),
                new TaskRecord(id.value(), 0, id.value(), "poison", "RUNNING", "NORMAL", null, "virtual", Map.of(), now, now,
                        0, 10, null, null, 0, 0, -1, -1, -1, -1, "UUUU", "crashing", dead.number(), true));
        store.close(dead.number());
        try (TaskOrchestrator b = on(store, "b").handler("poison", String.class, s -> s).build()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> durableStatus(store, id).equals("FAILED"));
            assertThat(b.flushStore()).isTrue();
            assertThat(status(store, id)).as("the history's record of the given-up durable task").isEqualTo("FAILED");
        }
    }
}
