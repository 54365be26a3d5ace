package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The store's statements against locks another session holds on its tables, on a real PostgreSQL. */
class StoreLocksReviewTest {

    /**
     * A DBA builds an index on the task table ({@code CREATE INDEX} holds a SHARE lock: reads go on, writes wait).
     * The member table is free, so a renewal of the lease can go through; it used to commit and then wait without
     * end in marking lost the tasks of dead members, and the lease keeper's later renewals never came: this live
     * member's lease lapsed, its durable tasks were claimed and run a second time elsewhere. Now marking lost is
     * given up after a third of the lease and the renewal returns (renewed), so the next renewals come.
     */
    @Test
    void aLockOnTheTaskTableDoesNotKeepTheLeaseKeeperFromItsNextRenewals() throws Exception {
        assumeTrue(Databases.postgres().isPresent(), "needs " + Databases.POSTGRES_ENV);
        DataSource dataSource = Databases.postgres().orElseThrow().dataSource();
        String prefix = "lk" + ProcessHandle.current().pid() + "_";
        JdbcTaskStore store = new JdbcTaskStore(dataSource, prefix);
        store.initializeSchema();
        Duration lease = Duration.ofSeconds(2);
        long incarnation = store.open("alive", lease, 1).number();
        try (Connection dba = dataSource.getConnection(); Statement lock = dba.createStatement()) {
            dba.setAutoCommit(false);
            lock.execute("LOCK TABLE " + prefix + "task IN SHARE MODE");
            try {
                for (int renewal = 0; renewal < 3; renewal++) {
                    long before = System.currentTimeMillis();
                    int lost = assertTimeoutPreemptively(Duration.ofSeconds(60),
                            () -> store.heartbeat(incarnation, lease), "a renewal waited for the lock on the task table");
                    assertEquals(0, lost);
                    try (Statement read = dba.createStatement(); ResultSet row = read.executeQuery("SELECT lease_until "
                            + "FROM " + prefix + "member WHERE incarnation = " + incarnation)) {
                        assertTrue(row.next());
                        assertTrue(row.getLong(1) >= before + lease.toMillis(), "renewed at renewal " + renewal);
                    }
                }
            }
            finally {
                dba.rollback();
            }
        }
    }

    /**
     * A DBA locks the durable table ({@code LOCK TABLE ... IN ACCESS EXCLUSIVE MODE}, as {@code VACUUM FULL}, an
     * {@code ALTER TABLE} or a {@code CREATE INDEX} without {@code CONCURRENTLY} do: even reads wait) for longer than
     * the lease, while member A runs a durable task and member B, registering the same handler, looks for orphans.
     * The member table is free, so A's renewals can go through; but after each one its lease keeper reads the durable
     * table (its claims, its look at what it owns), and that read used to wait without end: A renewed no more, its
     * lease lapsed, and once the lock went B claimed the invocation and ran it a second time. Now the lease keeper's
     * statements after the renewal wait at most a third of the lease in all, and the next renewals come.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLockOnTheDurableTableDoesNotKeepTheLeaseKeeperFromItsNextRenewals() throws Exception {
        assumeTrue(Databases.postgres().isPresent(), "needs " + Databases.POSTGRES_ENV);
        DataSource dataSource = Databases.postgres().orElseThrow().dataSource();
        String prefix = "ld" + ProcessHandle.current().pid() + "_";
        JdbcTaskStore store = new JdbcTaskStore(dataSource, prefix);
        store.initializeSchema();
        Duration lease = Duration.ofSeconds(6);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        try (TaskOrchestrator a = member(store, "member-a", lease, runs, started, finish).build();
                TaskOrchestrator b = member(new JdbcTaskStore(dataSource, prefix), "member-b", lease, runs, started,
                        finish).build()) {
            long incarnation = a.storeStatistics().orElseThrow().incarnation();
            SpawningTask<String> task = a.to(String.class).durable("hold", "job").run();
            assertThat(started.await(30, TimeUnit.SECONDS)).as("A runs it").isTrue();
            try (Connection dba = dataSource.getConnection(); Statement lock = dba.createStatement()) {
                dba.setAutoCommit(false);
                lock.execute("LOCK TABLE " + prefix + "durable IN ACCESS EXCLUSIVE MODE");
                long lockedAt = System.currentTimeMillis();
                try {
                    await().atMost(lease.multipliedBy(4)).pollInterval(Duration.ofMillis(200))
                            .alias("A renews its lease a lease after the durable table was locked, the lock held")
                            .until(() -> leaseUntil(dba, prefix, incarnation) >= lockedAt + 2 * lease.toMillis());
                }
                finally {
                    dba.rollback();
                }
            }
            DurableRecord stored = store.durable(task.id()).orElseThrow();
            assertThat(stored.owner()).as("nobody claimed A's invocation").isEqualTo(incarnation);
            assertThat(stored.attempts()).as("nobody claimed A's invocation").isEqualTo(1);
            finish.countDown();
            assertThat(task.get(30, TimeUnit.SECONDS)).isEqualTo("job");
            await().atMost(Duration.ofSeconds(30)).alias("A's end is written")
                    .until(() -> store.durable(task.id()).orElseThrow().status().equals("COMPLETED"));
            assertThat(store.durable(task.id()).orElseThrow().attempts()).as("claimed by nobody").isEqualTo(1);
            assertThat(runs.get()).as("run once").isEqualTo(1);
        }
        finally {
            finish.countDown();
        }
    }

    /**
     * H2 keeps a statement's query timeout on its connection (its session's {@code QUERY_TIMEOUT}), not on the
     * statement: a bounded statement on a pooled connection used to leave its bound behind, and a later call that
     * borrowed the connection (a query of the history, a purge) was cancelled after a bound that was never its own.
     * A bound is taken off the connection before it goes back to the pool.
     */
    @Test
    void aBoundDoesNotStayOnAPooledH2Connection() throws Exception {
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:mem:bounds" + ProcessHandle.current().pid()
                + ";DB_CLOSE_DELAY=-1", "sa", "");
        pool.setMaxConnections(1);
        try {
            JdbcTaskStore store = new JdbcTaskStore(pool, "pb_");
            store.initializeSchema();
            Duration lease = Duration.ofSeconds(30);
            long incarnation = store.open("pooled", lease, 1).number();
            store.heartbeat(incarnation, lease); // marking lost is bounded by a third of the lease
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                assertEquals(0, statement.getQueryTimeout(), "the pooled connection's query timeout");
            }
        }
        finally {
            pool.dispose();
        }
    }

    /** A member on {@code store} whose handler {@code hold} counts its runs and holds until {@code finish}. */
    private static TaskOrchestrator.Builder member(JdbcTaskStore store, String name, Duration lease, AtomicInteger runs,
            CountDownLatch started, CountDownLatch finish) {
        return TaskOrchestrator.builder().store(store).member(name).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(lease)
                .handler("hold", String.class, argument -> {
                    runs.incrementAndGet();
                    started.countDown();
                    finish.await();
                    return argument;
                });
    }

    private static long leaseUntil(Connection dba, String prefix, long incarnation) throws Exception {
        try (Statement read = dba.createStatement(); ResultSet row = read.executeQuery("SELECT lease_until FROM "
                + prefix + "member WHERE incarnation = " + incarnation)) {
            assertTrue(row.next());
            return row.getLong(1);
        }
    }
}
