package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.TaskId;
import io.sweetasync.spi.TaskRecord;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review 13: a renewal of the lease whose marking-lost is chosen as a deadlock's victim, on a real
 * PostgreSQL with its default settings.
 *
 * <p>{@code heartbeat} renews the lease in a commit of its own, then marks lost the live tasks of members whose lease
 * lapsed. Marking lost updates those rows in the table's order, and a transaction that updates two of them in the other
 * order (the writer of the lapsed member itself, still alive after a long pause, flushing its records in one
 * transaction; a DBA's fix-up) makes a deadlock, of which PostgreSQL aborts one side (40P01). Only a lock wait given
 * up was kept inside the heartbeat; any other failure of marking lost made {@code heartbeat} throw, though the lease
 * had been renewed. The lease keeper then said "renewing the lease of member ... failed", kept the beginning of its
 * previous renewal as its last one (two such in a row hold its claims back for a lease, and take it for a member that
 * was out of reach), and skipped what follows a renewal: the claims of dead members' durable tasks, the look at what
 * it owns.
 */
class Review13DurableMarkLostDeadlockTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDeadlockInMarkingLostDoesNotFailARenewalThatWasCommitted() throws Exception {
        assumeTrue(Databases.postgres().isPresent(), "needs " + Databases.POSTGRES_ENV);
        // A pool of its own: the session setting below must not go back to the shared pool with its connection.
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(System.getenv(Databases.POSTGRES_ENV));
        config.setMaximumPoolSize(4);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            deadlockWithMarkingLost(dataSource);
        }
    }

    private static void deadlockWithMarkingLost(DataSource dataSource) throws Exception {
        String prefix = "r13d" + ProcessHandle.current().pid() + "_";
        JdbcTaskStore store = new JdbcTaskStore(dataSource, prefix);
        store.initializeSchema();
        Duration lease = Duration.ofSeconds(30);
        long alive = store.open("alive", lease).number();
        // Two members whose leases lapse at once, a live task each, in this order in both tables: marking lost visits
        // the first before the second whichever way PostgreSQL joins the tables (within one incarnation a hash join
        // gives the rows in reverse).
        long deadFirst = store.open("dead-1", Duration.ofMillis(1)).number();
        long deadSecond = store.open("dead-2", Duration.ofMillis(1)).number();
        long first = TaskId.of(deadFirst, 1).value();
        long second = TaskId.of(deadSecond, 1).value();
        store.save(List.of(running(first, deadFirst)));
        store.save(List.of(running(second, deadSecond)));

        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement()) {
            // the other side never takes itself for the victim: PostgreSQL aborts the renewal's marking lost
            statement.execute("SET deadlock_timeout = '60s'");
            other.setAutoCommit(false);
            statement.executeUpdate("UPDATE " + prefix + "task SET name = name WHERE id = " + second);
            long before = System.currentTimeMillis();
            CompletableFuture<Integer> renewal = new CompletableFuture<>();
            Thread.ofPlatform().name("review13-renewal").daemon().start(() -> {
                try {
                    renewal.complete(store.heartbeat(alive, lease));
                }
                catch (RuntimeException ex) {
                    renewal.completeExceptionally(ex);
                }
            });
            // marking lost has updated the first row and waits for the second
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> markingLostWaits(dataSource, prefix));
            // ... and now the other side waits for the first: a deadlock, of which marking lost is the victim
            statement.executeUpdate("UPDATE " + prefix + "task SET name = name WHERE id = " + first);
            other.rollback();

            assertThat(renewal).as("a renewal committed before marking lost failed")
                    .succeedsWithin(Duration.ofSeconds(30)).isEqualTo(0);
            try (ResultSet row = statement.executeQuery("SELECT lease_until FROM " + prefix + "member WHERE "
                    + "incarnation = " + alive)) {
                assertThat(row.next()).isTrue();
                assertThat(row.getLong(1)).as("the lease was renewed").isGreaterThanOrEqualTo(before + lease.toMillis());
            }
        }
        assertThat(store.heartbeat(alive, lease)).as("marked lost at the next renewal").isEqualTo(2);
        assertThat(store.find(new TaskId(first)).orElseThrow().failureType()).isEqualTo("TaskLostException");
    }

    /**
     * Whether a statement marking tasks lost waits for a row lock, as a session of its own sees it (within a transaction
     * PostgreSQL answers pg_stat_activity from a snapshot taken at its first read); on this test's tables only, not
     * those of another test JVM sharing the database.
     */
    private static boolean markingLostWaits(DataSource dataSource, String prefix) throws Exception {
        try (Connection look = dataSource.getConnection(); Statement read = look.createStatement();
                ResultSet row = read.executeQuery("SELECT count(*) FROM "
                + "pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%TaskLostException%' AND query LIKE '%"
                + prefix + "%' AND pid <> pg_backend_pid()")) {
            return row.next() && row.getInt(1) > 0;
        }
    }

    private static TaskRecord running(long id, long incarnation) {
        long now = System.currentTimeMillis();
        return new TaskRecord(id, 0, id, "import", "RUNNING", "NORMAL", null, "virtual", Map.of(), now, now, 0, 1,
                null, null, 0, 0, -1, -1, -1, -1, "UUUU", "dead-" + incarnation, incarnation, false);
    }
}
