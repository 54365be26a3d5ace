package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile review 13: an {@code Error} thrown inside one of the store's transactions (a driver's
 * {@code NoClassDefFoundError} after its jar was replaced under a running application, an
 * {@code OutOfMemoryError} while binding a large row). The store promises "both rows or neither, in one commit"
 * for an {@code enqueue}, and one transaction for a {@code save}. The transaction rolled back only on
 * {@code SQLException} and {@code RuntimeException}; for an {@code Error} it went straight to
 * {@code setAutoCommit(true)}, which JDBC defines as a commit of the transaction under way: what was written
 * before the {@code Error} was committed.
 */
class Review13DurableErrorMidTransactionTest {

    private static final AtomicInteger NEXT = new AtomicInteger();

    static Stream<Databases.Database> databases() {
        return Databases.all();
    }

    /**
     * The durable row is inserted, then the task record's upsert fails with an {@code Error}: the caller's
     * {@code run()} hears the submission failed, and neither row may be in the store (a durable row without its
     * task record is run by the next member that claims it, with no record to take its name and settings from).
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anErrorAfterTheDurableRowWasInsertedCommitsNeitherRow(Databases.Database database) {
        String prefix = prefix();
        JdbcTaskStore plain = new JdbcTaskStore(database.dataSource(), prefix);
        plain.initializeSchema();
        FaultyDataSource faulty = new FaultyDataSource(database.dataSource());
        JdbcTaskStore store = new JdbcTaskStore(faulty, prefix);
        long owner = store.open("member-a", Duration.ofMinutes(5)).number();
        TaskId id = TaskId.of(owner, 1);
        // the task record's upsert (PostgreSQL INSERT ... ON CONFLICT, H2 MERGE), after the durable row's INSERT
        faulty.failOn = sql -> sql.startsWith("INSERT INTO " + prefix + "task") || sql.startsWith("MERGE INTO " + prefix
                + "task");

        assertThatThrownBy(() -> store.enqueue(new DurableRecord(id.value(), "send-invoice", "\"o-7\"", "PENDING", 1,
                owner, null, null, System.currentTimeMillis()), record(id.value(), owner, true)))
                .isInstanceOf(NoClassDefFoundError.class);
        faulty.failOn = sql -> false;

        assertThat(plain.durable(id)).as("the durable row of an enqueue that failed midway").isEmpty();
        assertThat(plain.find(id)).as("its task record").isEmpty();
    }

    /**
     * PostgreSQL writes a {@code save} a hundred rows per statement, all in one transaction: an {@code Error} at the
     * second statement must leave none of the first hundred written (one transaction per call, as the class says).
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anErrorInTheSecondStatementOfASaveCommitsNoneOfTheFirst(Databases.Database database) {
        assumeTrue(database.name().equals("PostgreSQL"), "H2 writes a save in one JDBC batch");
        String prefix = prefix();
        JdbcTaskStore plain = new JdbcTaskStore(database.dataSource(), prefix);
        plain.initializeSchema();
        FaultyDataSource faulty = new FaultyDataSource(database.dataSource());
        JdbcTaskStore store = new JdbcTaskStore(faulty, prefix);
        long owner = store.open("member-a", Duration.ofMinutes(5)).number();
        List<TaskRecord> records = new ArrayList<>();
        for (int i = 1; i <= 150; i++) {
            records.add(record(TaskId.of(owner, i).value(), owner, false));
        }
        AtomicInteger upserts = new AtomicInteger();
        faulty.failOn = sql -> sql.startsWith("INSERT INTO " + prefix + "task") && upserts.incrementAndGet() == 2;

        assertThatThrownBy(() -> store.save(records)).isInstanceOf(NoClassDefFoundError.class);
        faulty.failOn = sql -> false;

        assertThat(plain.query(new TaskQuery(null, null, null, 0, 500))).as("records of a save that failed midway")
                .isEmpty();
    }

    private static String prefix() {
        return "r13e" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet() + "_";
    }

    private static TaskRecord record(long id, long incarnation, boolean durable) {
        long now = System.currentTimeMillis();
        return new TaskRecord(id, 0, id, "send-invoice", "PENDING", "NORMAL", null, "virtual", java.util.Map.of(), now,
                0, 0, 1, null, null, 0, 0, -1, -1, -1, -1, "UUUU", "member-a", incarnation, durable);
    }

    /** A DataSource whose connections throw an {@code Error} when preparing a statement {@link #failOn} matches. */
    static final class FaultyDataSource implements DataSource {
        private final DataSource target;
        volatile Predicate<String> failOn = sql -> false;

        FaultyDataSource(DataSource target) {
            this.target = target;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = target.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement") && args.length == 1
                                && failOn.test((String) args[0])) {
                            throw new NoClassDefFoundError("org/postgresql/core/v3/BatchedQuery (the driver's jar "
                                    + "was replaced under the running application)");
                        }
                        try {
                            return method.invoke(connection, args);
                        }
                        catch (InvocationTargetException ex) {
                            throw ex.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return target.isWrapperFor(iface);
        }
    }
}
