package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code initializeSchema()} on PostgreSQL through a DataSource that hands out the caller's transaction's connection
 * (Spring's {@code TransactionAwareDataSourceProxy}): its advisory lock is held until that transaction ends, after
 * the call returned. Runs in this JVM took a lock of their own first, then the advisory lock: a run for the same
 * prefix meanwhile held the JVM's lock while it waited for the caller's transaction, and the caller's next
 * initialization in that transaction (another prefix) waited for the JVM's lock: neither ever went on.
 */
@Timeout(60)
class SchemaInCallersTransactionTest {

    private static final AtomicInteger ROUNDS = new AtomicInteger();

    @Test
    void aSecondInitializationInTheCallersTransactionIsNotStuckBehindARunWaitingForThatTransaction() throws Exception {
        Databases.Database postgres = Databases.postgres().orElse(null);
        Assumptions.assumeTrue(postgres != null, "PostgreSQL store tests skipped: set " + Databases.POSTGRES_ENV);
        String prefix = "tx" + ProcessHandle.current().pid() + "_" + ROUNDS.incrementAndGet() + "_";
        // threads of their own: the common pool may have one, which the other member's wait would hold
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Connection transaction = postgres.dataSource().getConnection()) {
            transaction.setAutoCommit(false);
            DataSource inTransaction = transactionBound(transaction);
            CompletableFuture<Void> otherMember = null;
            try {
                new JdbcTaskStore(inTransaction, prefix + "a_").initializeSchema();
                otherMember = CompletableFuture.runAsync(
                        () -> new JdbcTaskStore(postgres.dataSource(), prefix + "a_").initializeSchema(), threads);
                await().alias("the other member's initialization waits for the caller's transaction")
                        .atMost(Duration.ofSeconds(30)).until(() -> advisoryWaiters(postgres.dataSource(), prefix + "a_") > 0);
                CompletableFuture<Void> second = CompletableFuture.runAsync(
                        () -> new JdbcTaskStore(inTransaction, prefix + "b_").initializeSchema(), threads);
                try {
                    second.get(30, TimeUnit.SECONDS); // stuck, it never completes
                }
                catch (TimeoutException stuck) {
                    throw new AssertionError("the caller's second initialization was stuck behind the other member's, "
                            + "which waited for the caller's transaction", stuck);
                }
            }
            finally {
                transaction.commit();
            }
            otherMember.get(30, TimeUnit.SECONDS);
            assertThat(otherMember).isCompleted();
        }
        finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Lock requests waiting for the schema's advisory lock of {@code prefix} (SchemaScript's two keys: "SwAs" and the
     * prefix's hash, which pg_locks shows as classid and objid, unsigned): only this test's, not those of another test
     * JVM initializing schemas on the same database at the same time.
     */
    private static int advisoryWaiters(DataSource dataSource, String prefix) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2"
                                + " AND classid = " + 0x53774173L + " AND objid = " + Integer.toUnsignedLong(prefix.hashCode()))) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** A DataSource that always hands out {@code connection}, whose close() leaves it open, as a transaction's. */
    private static DataSource transactionBound(Connection connection) {
        Connection unclosable = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] { Connection.class }, (proxy, method, args) -> method.getName().equals("close") ? null
                        : method.invoke(connection, args));
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] { DataSource.class },
                (proxy, method, args) -> method.getName().equals("getConnection") ? unclosable
                        : method.getDeclaringClass() == Object.class ? method.invoke(unclosable, args) : null);
    }
}
