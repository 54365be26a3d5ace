package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Members whose clocks differ by more than a lease share one store (leases are kept in the database's time,
 * {@link StoreClock}). Before, lease ends were each member's own clock: a member ten minutes ahead took a live
 * member's 30-second lease for lapsed, claimed its durable invocation (run a second time) and marked its running
 * tasks lost; a member ten minutes behind wrote leases that had lapsed already for everyone else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreClockSkewTest {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final long TEN_MINUTES = Duration.ofMinutes(10).toMillis();

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aMemberWhoseClockRunsAheadTakesNoLiveMembersWork(Databases.Database database) {
        String prefix = prefix();
        JdbcTaskStore live = store(database, prefix, System::currentTimeMillis);
        long liveMember = live.open("live", LEASE).number();
        TaskId durable = TaskId.of(liveMember, 1);
        TaskId plain = TaskId.of(liveMember, 2);
        runningWork(live, liveMember, durable, plain, System::currentTimeMillis);

        LongSupplier ahead = () -> System.currentTimeMillis() + TEN_MINUTES;
        JdbcTaskStore early = store(database, prefix, ahead);
        long earlyMember = early.open("ahead", LEASE).number(); // marks lost the tasks of lapsed leases
        early.heartbeat(earlyMember, LEASE); // so does every renewal

        assertThat(early.claimOrphans(earlyMember, List.of("h"), 10)).as("a live member's durable invocation").isEmpty();
        assertThat(early.claimUnresolved(earlyMember, List.of(), Instant.ofEpochMilli(ahead.getAsLong() - 60_000), 10))
                .as("stored a moment ago by a live member, not idle for a minute").isEmpty();
        assertThat(live.find(plain).orElseThrow().status()).as("a live member's running task").isEqualTo("RUNNING");
        assertThat(live.durable(durable).orElseThrow().owner()).isEqualTo(liveMember);

        // leases still end: once the live member closes, the member ahead takes its invocation over
        live.close(liveMember);
        assertThat(early.claimOrphans(earlyMember, List.of("h"), 10)).extracting(DurableRecord::id)
                .containsExactly(durable.value());
        early.heartbeat(earlyMember, LEASE);
        assertThat(live.find(plain).orElseThrow().status()).isEqualTo("FAILED");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aMemberWhoseClockRunsBehindKeepsItsLease(Databases.Database database) {
        String prefix = prefix();
        LongSupplier behind = () -> System.currentTimeMillis() - TEN_MINUTES;
        JdbcTaskStore late = store(database, prefix, behind);
        TaskStore.Incarnation opened = late.open("behind", LEASE);
        long lateMember = opened.number();
        // the lease end it is told is in its own time: about a lease from its own now
        assertThat(opened.leaseUntil().toEpochMilli()).isBetween(behind.getAsLong() + LEASE.toMillis() / 2,
                behind.getAsLong() + LEASE.toMillis() * 2);
        TaskId durable = TaskId.of(lateMember, 1);
        TaskId plain = TaskId.of(lateMember, 2);
        runningWork(late, lateMember, durable, plain, behind);

        JdbcTaskStore other = store(database, prefix, System::currentTimeMillis);
        long otherMember = other.open("on time", LEASE).number();
        other.heartbeat(otherMember, LEASE);
        late.heartbeat(lateMember, LEASE);
        other.heartbeat(otherMember, LEASE);

        assertThat(other.claimOrphans(otherMember, List.of("h"), 10)).as("a live member's durable invocation").isEmpty();
        assertThat(other.find(plain).orElseThrow().status()).as("a live member's running task").isEqualTo("RUNNING");
        assertThat(other.durable(durable).orElseThrow().owner()).isEqualTo(lateMember);
        // its own record keeps its own clock's instants (what its orchestrator saw)
        assertThat(other.find(plain).orElseThrow().createdAt()).isLessThan(System.currentTimeMillis() - TEN_MINUTES / 2);
    }

    private static void runningWork(JdbcTaskStore store, long member, TaskId durable, TaskId plain,
            LongSupplier clock) {
        long now = clock.getAsLong();
        store.enqueue(new DurableRecord(durable.value(), "h", null, "PENDING", 1, member, null, null, now),
                JdbcTaskStoreTest.record(durable.value(), "RUNNING", "h", member, true, now));
        store.save(List.of(JdbcTaskStoreTest.record(plain.value(), "RUNNING", "n", member, false, now)));
    }

    private static String prefix() {
        return "skew" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet() + "_";
    }

    private static JdbcTaskStore store(Databases.Database database, String prefix, LongSupplier clock) {
        JdbcTaskStore store = new JdbcTaskStore(database.dataSource(), prefix, clock);
        store.initializeSchema();
        return store;
    }
}
