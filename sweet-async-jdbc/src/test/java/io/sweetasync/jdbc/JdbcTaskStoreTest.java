package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcTaskStoreTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    static TaskRecord record(long id, String status, String name, long incarnation, boolean durable, long createdAt) {
        return new TaskRecord(id, 0, id, name, status, "NORMAL", null, "virtual", Map.of("tenant", "a&b=c"), createdAt,
                status.equals("PENDING") ? 0 : createdAt, status.equals("COMPLETED") ? createdAt + 5 : 0, 1, null, null,
                10, 20, 1_000, 2_000, -1, -1, "MMUU", "member-a", incarnation, durable);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theSchemaIsIdempotentAndIncarnationsNeverRepeat(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        store.initializeSchema();
        TaskStore.Incarnation first = store.open("a", Duration.ofSeconds(30));
        TaskStore.Incarnation second = store.open("b", Duration.ofSeconds(30));
        assertThat(first.number()).isPositive();
        assertThat(second.number()).isGreaterThan(first.number());
        assertThat(second.member()).isEqualTo("b");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anIncarnationAskedAtLeastSomeNumberSkipsAheadAndNoLaterOneRepeatsIt(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long first = store.open("a", Duration.ofSeconds(30)).number();
        TaskStore.Incarnation skipped = store.open("b", Duration.ofSeconds(30), first + 10);
        assertThat(skipped.number()).isEqualTo(first + 10);
        assertThat(skipped.member()).isEqualTo("b");
        assertThat(store.open("c", Duration.ofSeconds(30)).number()).isEqualTo(first + 11);
        // Asked for less than the store's next number: the next number, the sequence never goes back.
        assertThat(store.open("d", Duration.ofSeconds(30), 1).number()).isEqualTo(first + 12);
        assertThatThrownBy(() -> store.open("e", Duration.ofSeconds(30), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("atLeast").hasMessageContaining("0");
        assertThatThrownBy(() -> store.open("e", Duration.ofSeconds(30), TaskId.MAX_INCARNATION + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TaskId.MAX_INCARNATION + 1 + "");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void recordsRoundTripAndQueriesFilterAndPage(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long incarnation = store.open("a", Duration.ofSeconds(30)).number();
        long now = System.currentTimeMillis();
        List<TaskRecord> records = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            records.add(record(TaskId.of(incarnation, i).value(), i % 3 == 0 ? "FAILED" : "COMPLETED",
                    i % 2 == 0 ? "even" : "odd", incarnation, false, now + i));
        }
        store.save(records);
        store.save(List.of(records.getFirst())); // replacing is fine
        TaskRecord back = store.find(new TaskId(records.get(4).id())).orElseThrow();
        assertThat(back).isEqualTo(records.get(4));
        assertThat(back.tags()).containsEntry("tenant", "a&b=c");
        assertThat(store.query(new TaskQuery(null, null, null, 0, 100))).hasSize(30);
        assertThat(store.query(new TaskQuery("FAILED", "even", null, 0, 100))).extracting(TaskRecord::id)
                .containsExactly(TaskId.of(incarnation, 30).value(), TaskId.of(incarnation, 24).value(),
                        TaskId.of(incarnation, 18).value(), TaskId.of(incarnation, 12).value(),
                        TaskId.of(incarnation, 6).value());
        assertThat(store.query(new TaskQuery(null, null, Instant.ofEpochMilli(now + 26), 0, 100))).hasSize(5);
        List<TaskRecord> page = store.query(new TaskQuery(null, null, null, 10, 10));
        assertThat(page).extracting(TaskRecord::id).first().isEqualTo(TaskId.of(incarnation, 20).value());
        assertThat(store.find(TaskId.of(incarnation, 999))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void liveTasksOfAnExpiredIncarnationAreLostButDurableOnesAndLiveMembersAreNot(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead-member", Duration.ofMillis(-1)).number();
        long alive = store.open("live-member", Duration.ofSeconds(30)).number();
        long now = System.currentTimeMillis();
        store.save(List.of(record(TaskId.of(dead, 1).value(), "RUNNING", "work", dead, false, now),
                record(TaskId.of(dead, 2).value(), "COMPLETED", "work", dead, false, now),
                record(TaskId.of(dead, 3).value(), "RUNNING", "durable-work", dead, true, now),
                record(TaskId.of(alive, 1).value(), "RUNNING", "work", alive, false, now)));
        assertThat(store.heartbeat(alive, Duration.ofSeconds(30))).isEqualTo(1);
        TaskRecord lost = store.find(TaskId.of(dead, 1)).orElseThrow();
        assertThat(lost.status()).isEqualTo("FAILED");
        assertThat(lost.failureType()).isEqualTo("TaskLostException");
        assertThat(lost.failureMessage()).contains("stopped before it finished").contains("dead-member");
        assertThat(lost.completedAt()).isPositive();
        assertThat(store.find(TaskId.of(dead, 2)).orElseThrow().status()).isEqualTo("COMPLETED");
        assertThat(store.find(TaskId.of(dead, 3)).orElseThrow().status()).isEqualTo("RUNNING");
        assertThat(store.find(TaskId.of(alive, 1)).orElseThrow().status()).isEqualTo("RUNNING");
        assertThat(store.heartbeat(alive, Duration.ofSeconds(30))).isZero();
    }

    /** Members racing for the same orphans: each invocation is claimed by exactly one of them. */
    @ParameterizedTest
    @MethodSource("databases")
    void eachOrphanIsClaimedExactlyOnceByRacingMembers(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead", Duration.ofMillis(-1)).number();
        long now = System.currentTimeMillis();
        int orphans = 60;
        for (int i = 1; i <= orphans; i++) {
            TaskId id = TaskId.of(dead, i);
            store.enqueue(new DurableRecord(id.value(), "h", "{\"n\":" + i + "}", "PENDING", 1, dead, null, null, now),
                    record(id.value(), "RUNNING", "h", dead, true, now));
        }
        long[] members = { store.open("m1", Duration.ofSeconds(30)).number(),
                store.open("m2", Duration.ofSeconds(30)).number(), store.open("m3", Duration.ofSeconds(30)).number() };
        List<DurableRecord> claimed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (long member : members) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 10; round++) {
                        claimed.addAll(store.claimOrphans(member, List.of("h", "other"), 7));
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(claimed).hasSize(orphans);
        assertThat(claimed).extracting(DurableRecord::id).doesNotHaveDuplicates();
        assertThat(claimed).allSatisfy(record -> {
            assertThat(record.attempts()).isEqualTo(2);
            assertThat(record.owner()).isIn(members[0], members[1], members[2]);
        });
        // Claimed by live members now: nobody else takes them.
        assertThat(store.claimOrphans(store.open("m4", Duration.ofSeconds(30)).number(), List.of("h"), 100)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFinishedInvocationKeepsItsResultAndIsNoLongerClaimable(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead", Duration.ofMillis(-1)).number();
        TaskId id = TaskId.of(dead, 1);
        long now = System.currentTimeMillis();
        store.enqueue(new DurableRecord(id.value(), "h", "\"x\"", "PENDING", 1, dead, null, null, now),
                record(id.value(), "RUNNING", "h", dead, true, now));
        assertThat(store.finishDurable(id, dead + 1, "FAILED", null, "not the owner")).isFalse();
        assertThat(store.finishDurable(id, dead, "COMPLETED", "{\"ok\":true}", null)).isTrue();
        assertThat(store.finishDurable(id, dead, "FAILED", null, "ended already")).isFalse();
        DurableRecord done = store.durable(id).orElseThrow();
        assertThat(done.status()).isEqualTo("COMPLETED");
        assertThat(done.result()).isEqualTo("{\"ok\":true}");
        assertThat(store.claimOrphans(store.open("m", Duration.ofSeconds(30)).number(), List.of("h"), 10)).isEmpty();
    }

    /**
     * {@code owned} lists the pending invocations of the incarnation it names, by id, ascending, a page at a time:
     * not another incarnation's, not an ended one, not one handed over (owner none).
     */
    @ParameterizedTest
    @MethodSource("databases")
    void ownedListsTheIncarnationsPendingInvocationsPageByPage(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long mine = store.open("mine", Duration.ofSeconds(30)).number();
        long other = store.open("other", Duration.ofSeconds(30)).number();
        long now = System.currentTimeMillis();
        List<TaskId> pending = new ArrayList<>();
        for (int seq = 5; seq >= 1; seq--) { // stored newest id first: the answer is by id all the same
            TaskId id = TaskId.of(mine, seq);
            store.enqueue(new DurableRecord(id.value(), "h", null, "PENDING", 1, mine, null, null, now),
                    record(id.value(), "PENDING", "h", mine, true, now));
            pending.add(0, id);
        }
        TaskId othersRun = TaskId.of(other, 1);
        store.enqueue(new DurableRecord(othersRun.value(), "h", null, "PENDING", 1, other, null, null, now),
                record(othersRun.value(), "PENDING", "h", other, true, now));
        assertThat(store.finishDurable(pending.get(1), mine, "COMPLETED", null, null)).isTrue();
        store.releaseDurables(mine, List.of(pending.get(3)));

        assertThat(store.owned(mine, null, 100)).containsExactly(pending.get(0), pending.get(2), pending.get(4));
        assertThat(store.owned(mine, null, 2)).containsExactly(pending.get(0), pending.get(2));
        assertThat(store.owned(mine, pending.get(2), 2)).containsExactly(pending.get(4));
        assertThat(store.owned(mine, pending.get(4), 2)).isEmpty();
        assertThat(store.owned(other, null, 100)).containsExactly(othersRun);
        assertThatThrownBy(() -> store.owned(mine, null, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit must be at least 1, was 0");
    }

    /**
     * A claim after a graceful hand-over ({@code releaseDurables}) counts the attempt but no lost run, and may
     * happen at once (the releasing member's lease still runs); a claim after a lease lapsed counts both. A
     * release touches only pending invocations of the owner it names: not another member's, not an ended one.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aHandedOverRunIsClaimableAtOnceAndNotCountedAsLost(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long closing = store.open("closing", Duration.ofSeconds(30)).number();
        long other = store.open("other", Duration.ofSeconds(30)).number();
        long now = System.currentTimeMillis();
        TaskId handedOver = TaskId.of(closing, 1);
        TaskId ended = TaskId.of(closing, 2);
        TaskId othersRun = TaskId.of(other, 1);
        for (TaskId id : List.of(handedOver, ended, othersRun)) {
            long owner = id == othersRun ? other : closing;
            store.enqueue(new DurableRecord(id.value(), "h", null, "PENDING", 3, owner, null, null, now, 1),
                    record(id.value(), "RUNNING", "h", owner, true, now));
        }
        assertThat(store.finishDurable(ended, closing, "COMPLETED", null, null)).isTrue();
        store.releaseDurables(closing, List.of(handedOver, ended, othersRun));
        assertThat(store.durable(othersRun).orElseThrow().owner()).as("another member's run").isEqualTo(other);
        assertThat(store.durable(ended).orElseThrow().owner()).as("an ended invocation").isEqualTo(closing);

        long next = store.open("next", Duration.ofSeconds(30)).number();
        List<DurableRecord> claimed = store.claimOrphans(next, List.of("h"), 10);
        assertThat(claimed).as("only the handed-over run, while its releasing member's lease still runs")
                .singleElement().satisfies(record -> {
                    assertThat(record.id()).isEqualTo(handedOver.value());
                    assertThat(record.attempts()).isEqualTo(4);
                    assertThat(record.lostRuns()).as("a graceful hand-over is not a lost run").isEqualTo(1);
                    assertThat(record.owner()).isEqualTo(next);
                });

        store.close(other); // its lease released without a hand-over: as a crash looks once the lease lapsed
        assertThat(store.claimOrphans(next, List.of("h"), 10)).singleElement().satisfies(record -> {
            assertThat(record.id()).isEqualTo(othersRun.value());
            assertThat(record.attempts()).isEqualTo(4);
            assertThat(record.lostRuns()).isEqualTo(2);
        });
        assertThatThrownBy(() -> store.releaseDurables(next, null)).isInstanceOf(NullPointerException.class);
        store.releaseDurables(next, List.of()); // nothing to hand over: no statement at all
    }

    /**
     * A database created by the first schema (before lost runs were counted apart) is brought up to date by
     * {@code initializeSchema()}: its pending invocations get a lost-run count of 0 and stay claimable.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aDatabaseOfTheFirstSchemaIsUpgradedInPlace(Databases.Database database) throws Exception {
        String prefix = "v1_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000 + "_";
        JdbcTaskStore store = new JdbcTaskStore(database.dataSource(), prefix);
        String firstSchema = SchemaScript.read(store.dialect().schemaScripts().get(0)).replace("sweet_async_", prefix);
        long owner;
        try (java.sql.Connection connection = database.dataSource().getConnection();
                java.sql.Statement statement = connection.createStatement()) {
            for (String sql : SchemaScript.statements(firstSchema)) {
                statement.execute(sql);
            }
            owner = 7;
            statement.execute("INSERT INTO " + prefix + "durable (id, handler, argument, status, attempts, owner, "
                    + "created_at, updated_at) VALUES (" + TaskId.of(owner, 1).value() + ", 'h', NULL, 'PENDING', 2, "
                    + owner + ", 1, 1)");
        }
        store.initializeSchema();
        store.initializeSchema(); // idempotent, like the first schema
        DurableRecord old = store.durable(TaskId.of(owner, 1)).orElseThrow();
        assertThat(old.attempts()).isEqualTo(2);
        assertThat(old.lostRuns()).isZero();
        long member = store.open("m", Duration.ofSeconds(30)).number();
        assertThat(store.claimOrphans(member, List.of("h"), 10)).singleElement()
                .satisfies(record -> assertThat(record.lostRuns()).isEqualTo(1));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void endsWrittenTogetherAreEachRecordedOnlyForTheirOwner(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long owner = store.open("owner", Duration.ofSeconds(30)).number();
        long now = System.currentTimeMillis();
        List<TaskStore.DurableEnd> ends = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            TaskId id = TaskId.of(owner, i);
            store.enqueue(new DurableRecord(id.value(), "h", null, "PENDING", 1, owner, null, null, now),
                    record(id.value(), "RUNNING", "h", owner, true, now));
            // The third is ended by a member that does not own it (its lease lapsed): refused, the others not.
            ends.add(new TaskStore.DurableEnd(id, i == 3 ? owner + 1 : owner, "COMPLETED", "\"r" + i + "\"", null));
        }
        assertThat(store.finishDurables(ends)).containsExactly(true, true, false, true, true);
        assertThat(store.durable(TaskId.of(owner, 3)).orElseThrow().status()).isEqualTo("PENDING");
        assertThat(store.durable(TaskId.of(owner, 5)).orElseThrow().result()).isEqualTo("\"r5\"");
        assertThat(store.finishDurables(ends)).as("ended already").containsExactly(false, false, false, false, false);
        assertThat(store.finishDurables(List.of())).isEmpty();
    }

    /** Many records and ends in one call (several statements on PostgreSQL), a task twice among them. */
    @ParameterizedTest
    @MethodSource("databases")
    void largeWritesKeepEveryRowAndTheLastRecordOfATask(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long owner = store.open("big", Duration.ofSeconds(30)).number();
        long now = System.currentTimeMillis();
        List<TaskRecord> records = new java.util.ArrayList<>();
        List<TaskStore.DurableEnd> ends = new java.util.ArrayList<>();
        for (int i = 1; i <= 250; i++) {
            TaskId id = TaskId.of(owner, i);
            records.add(record(id.value(), "RUNNING", "bulk", owner, i % 2 == 0, now));
            if (i % 2 == 0) {
                store.enqueue(new DurableRecord(id.value(), "h", null, "PENDING", 1, owner, null, null, now),
                        record(id.value(), "PENDING", "bulk", owner, true, now));
                ends.add(new TaskStore.DurableEnd(id, owner, "COMPLETED", "" + i, null));
            }
        }
        records.add(record(TaskId.of(owner, 7).value(), "COMPLETED", "bulk", owner, false, now)); // task 7 again, later
        store.save(records);
        assertThat(store.query(new TaskQuery(null, "bulk", null, 0, 1000))).hasSize(250);
        assertThat(store.find(TaskId.of(owner, 7)).orElseThrow().status()).isEqualTo("COMPLETED");
        assertThat(store.find(TaskId.of(owner, 8)).orElseThrow().status()).isEqualTo("RUNNING");
        boolean[] recorded = store.finishDurables(ends);
        assertThat(recorded).hasSize(125).doesNotContain(false);
        assertThat(store.durable(TaskId.of(owner, 250)).orElseThrow().result()).isEqualTo("250");
        assertThat(store.durable(TaskId.of(owner, 2)).orElseThrow().status()).isEqualTo("COMPLETED");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void purgeDropsOldFinishedRecordsOnly(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long incarnation = store.open("a", Duration.ofSeconds(30)).number();
        long old = System.currentTimeMillis() - Duration.ofDays(10).toMillis();
        store.save(List.of(record(TaskId.of(incarnation, 1).value(), "COMPLETED", "w", incarnation, false, old),
                record(TaskId.of(incarnation, 2).value(), "RUNNING", "w", incarnation, false, old),
                record(TaskId.of(incarnation, 3).value(), "COMPLETED", "w", incarnation, false,
                        System.currentTimeMillis())));
        assertThat(store.purge(Instant.now().minus(Duration.ofDays(7)))).isEqualTo(1);
        assertThat(store.find(TaskId.of(incarnation, 1))).isEmpty();
        assertThat(store.find(TaskId.of(incarnation, 2))).isPresent();
        assertThat(store.find(TaskId.of(incarnation, 3))).isPresent();
    }

    @Test
    void badSettingsAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> new JdbcTaskStore(Databases.h2().dataSource(), "Bad-Prefix"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad-Prefix");
        assertThatThrownBy(() -> new JdbcTaskStore(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("dataSource");
    }

    @Test
    void anUnreachableDatabaseFailsWithTheStoreNamed() {
        org.h2.jdbcx.JdbcDataSource nowhere = new org.h2.jdbcx.JdbcDataSource();
        nowhere.setURL("jdbc:h2:mem:x;IFEXISTS=TRUE");
        JdbcTaskStore store = new JdbcTaskStore(nowhere);
        assertThatThrownBy(() -> store.find(TaskId.of(0, 1))).isInstanceOf(TaskStoreException.class)
                .hasMessageContaining("sweet_async_");
    }
}
