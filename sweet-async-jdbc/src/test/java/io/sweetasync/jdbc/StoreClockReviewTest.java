package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review of store time ({@link StoreClock}): what the measurement of the database's time got wrong.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreClockReviewTest {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final long TEN_MINUTES = Duration.ofMinutes(10).toMillis();

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    /**
     * H2's time was read as {@code DATEDIFF} from a UTC epoch to {@code CURRENT_TIMESTAMP}, which H2 counts in the
     * session's local time: the "difference" measured was the member's time-zone offset (India +5:30, New York -5:00,
     * and an hour more or less across a daylight-saving change). Members in other zones (a JVM's default zone, or the
     * URL's TIME ZONE) on one H2 server disagreed on leases by hours: the ones east took live members' work.
     */
    @Test
    void membersInOtherTimeZonesAgreeOnLeasesOnH2() throws Exception {
        String url = "jdbc:h2:mem:clockrev" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet()
                + ";DB_CLOSE_DELAY=-1";
        String prefix = prefix();
        JdbcTaskStore west = store(h2(url + ";TIME ZONE=America/New_York"), prefix, System::currentTimeMillis);
        long westMember = west.open("new york", LEASE).number();
        TaskId durable = TaskId.of(westMember, 1);
        TaskId plain = TaskId.of(westMember, 2);
        runningWork(west, westMember, durable, plain);

        JdbcTaskStore utc = store(h2(url + ";TIME ZONE=UTC"), prefix, System::currentTimeMillis);
        long utcMember = utc.open("utc", LEASE).number();
        JdbcTaskStore east = store(h2(url + ";TIME ZONE=Asia/Kolkata"), prefix, System::currentTimeMillis);
        long eastMember = east.open("india", LEASE).number();
        utc.heartbeat(utcMember, LEASE);
        east.heartbeat(eastMember, LEASE);

        assertThat(utc.claimOrphans(utcMember, List.of("h"), 10)).as("a live member's durable invocation").isEmpty();
        assertThat(east.claimOrphans(eastMember, List.of("h"), 10)).as("a live member's durable invocation").isEmpty();
        assertThat(east.claimUnresolved(eastMember, List.of(), Instant.now().minusSeconds(60), 10))
                .as("stored a moment ago by a live member").isEmpty();
        assertThat(west.find(plain).orElseThrow().status()).as("a live member's running task").isEqualTo("RUNNING");
        assertThat(west.durable(durable).orElseThrow().owner()).isEqualTo(westMember);
        // and the lease each wrote is about a lease from the database's now (in-memory H2: this JVM's clock)
        long now = System.currentTimeMillis();
        for (long member : List.of(westMember, utcMember, eastMember)) {
            assertThat(leaseUntil(h2(url), prefix, member)).as("lease of incarnation " + member)
                    .isBetween(now, now + 2 * LEASE.toMillis());
        }
    }

    /**
     * This JVM's clock stepped forward (an NTP correction, a VM resumed) between two renewals: store time was this
     * JVM's wall clock plus the difference measured at the last renewal, so it stepped too, and the claims made before
     * the next renewal (the lease keeper claims between renewals when a member leaves) took live members' leases
     * for lapsed.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aStepOfThisJvmsClockBetweenRenewalsTakesNoLiveMembersWork(Databases.Database database) {
        String prefix = prefix();
        JdbcTaskStore live = store(database.dataSource(), prefix, System::currentTimeMillis);
        long liveMember = live.open("live", LEASE).number();
        TaskId durable = TaskId.of(liveMember, 1);
        TaskId plain = TaskId.of(liveMember, 2);
        runningWork(live, liveMember, durable, plain);

        AtomicLong step = new AtomicLong();
        LongSupplier stepping = () -> System.currentTimeMillis() + step.get();
        JdbcTaskStore stepped = store(database.dataSource(), prefix, stepping);
        long member = stepped.open("stepped", LEASE).number();
        step.set(TEN_MINUTES); // after its renewal, before its next one

        assertThat(stepped.claimOrphans(member, List.of("h"), 10)).as("a live member's durable invocation").isEmpty();
        assertThat(stepped.claimUnresolved(member, List.of(), Instant.ofEpochMilli(stepping.getAsLong() - 60_000), 10))
                .as("stored a moment ago by a live member, not idle for a minute").isEmpty();
        assertThat(live.durable(durable).orElseThrow().owner()).isEqualTo(liveMember);
        stepped.heartbeat(member, LEASE);
        assertThat(live.find(plain).orElseThrow().status()).isEqualTo("RUNNING");
    }

    /**
     * A store opened in its caller's transaction (an orchestrator built lazily in a Spring transaction) on H2: H2's
     * {@code CURRENT_TIMESTAMP} stands still in a transaction from its first use (a row of the application's with a
     * {@code DEFAULT CURRENT_TIMESTAMP}), so the difference measured at open was that transaction's age: the lease
     * written was short by it (lapsed at once for a transaction older than the lease), and others took the new
     * member's work for an orphan's.
     */
    @Test
    void aStoreOpenedInACallersLongTransactionOnH2WritesAWholeLease() throws Exception {
        Databases.Database h2 = Databases.h2();
        String prefix = prefix();
        new JdbcTaskStore(h2.dataSource(), prefix).initializeSchema();
        try (Connection setup = h2.dataSource().getConnection(); Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE " + prefix + "orders (id INT, placed TIMESTAMP WITH TIME ZONE DEFAULT "
                    + "CURRENT_TIMESTAMP)");
        }
        long until;
        long before;
        try (Connection transaction = h2.dataSource().getConnection()) {
            transaction.setAutoCommit(false);
            try (Statement statement = transaction.createStatement()) {
                statement.execute("INSERT INTO " + prefix + "orders (id) VALUES (1)"); // the caller's own work first
            }
            Thread.sleep(4_000); // and it goes on for a while
            JdbcTaskStore store = new JdbcTaskStore(boundTo(Thread.currentThread(), transaction, h2.dataSource()),
                    prefix);
            before = System.currentTimeMillis(); // in-memory H2: the database's clock is this JVM's
            long member = store.open("in a transaction", LEASE).number();
            transaction.commit();
            until = leaseUntil(h2.dataSource(), prefix, member);
        }
        assertThat(until).as("its lease ends a lease after its open, not a lease after the transaction began")
                .isGreaterThanOrEqualTo(before + LEASE.toMillis() - 1_000);
    }

    /** Held: a clock centuries off and leases that never end (or always ended) saturate, in both directions. */
    @ParameterizedTest
    @MethodSource("databases")
    void neverAndAlwaysStaySoWithAClockCenturiesOff(Databases.Database database) throws Exception {
        long centuries = Duration.ofDays(365L * 300).toMillis();
        for (long off : List.of(centuries, -centuries)) {
            String prefix = prefix();
            JdbcTaskStore store = store(database.dataSource(), prefix, () -> System.currentTimeMillis() + off);
            var never = store.open("never", Duration.ofSeconds(Long.MAX_VALUE));
            assertThat(never.leaseUntil()).isEqualTo(Instant.ofEpochMilli(Long.MAX_VALUE));
            assertThat(leaseUntil(database.dataSource(), prefix, never.number())).isEqualTo(Long.MAX_VALUE);
            assertThat(store.heartbeat(never.number(), Duration.ofSeconds(Long.MAX_VALUE))).isZero();
            assertThat(leaseUntil(database.dataSource(), prefix, never.number())).isEqualTo(Long.MAX_VALUE);
            var always = store.open("always", Duration.ofSeconds(Long.MIN_VALUE));
            assertThat(always.leaseUntil()).isEqualTo(Instant.ofEpochMilli(Long.MIN_VALUE));
            assertThat(leaseUntil(database.dataSource(), prefix, always.number())).isEqualTo(Long.MIN_VALUE);
            // a member whose lease never ends keeps its work from a member whose clock is centuries off
            TaskId durable = TaskId.of(never.number(), 1);
            TaskId plain = TaskId.of(never.number(), 2);
            runningWork(store, never.number(), durable, plain);
            long other = store.open("other", LEASE).number();
            assertThat(store.claimOrphans(other, List.of("h"), 10)).isEmpty();
            store.purge(Instant.ofEpochMilli(System.currentTimeMillis() + off + TEN_MINUTES));
            assertThat(store.durable(durable)).isPresent();
        }
    }

    private static void runningWork(JdbcTaskStore store, long member, TaskId durable, TaskId plain) {
        long now = System.currentTimeMillis();
        store.enqueue(new DurableRecord(durable.value(), "h", null, "PENDING", 1, member, null, null, now),
                JdbcTaskStoreTest.record(durable.value(), "RUNNING", "h", member, true, now));
        store.save(List.of(JdbcTaskStoreTest.record(plain.value(), "RUNNING", "n", member, false, now)));
    }

    static long leaseUntil(DataSource dataSource, String prefix, long member) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT lease_until FROM " + prefix + "member WHERE incarnation = "
                        + member)) {
            assertThat(row.next()).as("member row of " + member).isTrue();
            return row.getLong(1);
        }
    }

    private static DataSource h2(String url) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        return h2;
    }

    /**
     * A DataSource as Spring's transaction-aware one: {@code owner}'s calls get its transaction's connection (whose
     * close leaves it open), other threads a connection of {@code others}.
     */
    private static DataSource boundTo(Thread owner, Connection transaction, DataSource others) {
        Connection unclosable = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] { Connection.class }, (proxy, method, args) -> method.getName().equals("close") ? null
                        : method.invoke(transaction, args));
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] { DataSource.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return Thread.currentThread() == owner ? unclosable : others.getConnection();
                    }
                    return method.invoke(others, args);
                });
    }

    private static String prefix() {
        return "ckr" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet() + "_";
    }

    private static JdbcTaskStore store(DataSource dataSource, String prefix, LongSupplier clock) {
        JdbcTaskStore store = new JdbcTaskStore(dataSource, prefix, clock);
        store.initializeSchema();
        return store;
    }
}
