package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The store's way to its database: a connection per call (none is held between calls), the database kind
 * read from the first connection, work run in a transaction of its own or the caller's, JDBC batches,
 * selects read into a list or one row by id, and every {@link SQLException} turned into a
 * {@link TaskStoreException} naming the store's tables.
 *
 * <p>Invariants: thread-safe; the only mutable state is {@link #dialect}, written once a connection told
 * it (every thread that detects it detects the same kind: a benign race) and volatile, so that a thread
 * that reads it non-null reads a detected kind. A transaction is this class's only transaction boundary:
 * begun and committed (or rolled back) on one connection inside one {@link #run} call, or left to the
 * owner of a transaction already open on the connection.
 */
final class StoreConnections {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());

    private final DataSource dataSource;
    private final String prefix;
    private volatile Dialect dialect;

    StoreConnections(DataSource dataSource, String prefix) {
        this.dataSource = dataSource;
        this.prefix = prefix;
    }

    /** The tables' prefix, as the store was made with. */
    String prefix() {
        return prefix;
    }

    /** The database kind, null until a first connection told it. */
    Dialect known() {
        return dialect;
    }

    /** The database kind, read from the connection's metadata on first use. */
    Dialect dialect() {
        return run(connection -> dialect);
    }

    /** The database kind, without a connection when it is known already. */
    Dialect dialectNow() {
        return dialect == null ? dialect() : dialect;
    }

    private static Dialect detect(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        if (product.equalsIgnoreCase("H2")) {
            warnOfLateWrites(connection);
            return Dialect.H2;
        }
        if (product.equalsIgnoreCase("PostgreSQL")) {
            return Dialect.POSTGRESQL;
        }
        throw new TaskStoreException("the task store supports H2 and PostgreSQL, not " + product, null);
    }

    /**
     * Warns when an H2 database with files writes commits to them late (its {@code WRITE_DELAY}, 500 ms by
     * default): a process killed in that time loses what it had committed, a durable invocation "stored before
     * {@code run()} returns" among them. In-memory databases have nothing to lose to a late write.
     */
    private static void warnOfLateWrites(Connection connection) {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'");
                ResultSet row = select.executeQuery()) {
            String url = connection.getMetaData().getURL();
            if (row.next() && url != null && !url.startsWith("jdbc:h2:mem:") && Integer.parseInt(row.getString(1)) > 0) {
                LOG.log(System.Logger.Level.WARNING, "the task store's H2 database (" + url + ") writes commits to its "
                        + "file up to " + row.getString(1) + " ms after they return (WRITE_DELAY): a process killed "
                        + "within that time loses them, durable task invocations among them. Add ;WRITE_DELAY=0 to "
                        + "the URL to keep every commit.");
            }
        }
        catch (SQLException | RuntimeException ex) {
            // an H2 without the setting in INFORMATION_SCHEMA (or not parsable): nothing to warn of
        }
    }

    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /** One statement for every row, as one JDBC batch in one transaction (or the caller's); the update counts. */
    <T> int[] batch(String sql, Collection<T> rows, Binder<T> binder) {
        return transaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (T row : rows) {
                    binder.bind(statement, row);
                    statement.addBatch();
                }
                return statement.executeBatch();
            }
        });
    }

    /**
     * {@code work} in one transaction of its own, committed at the end; or, on a connection that is in a
     * transaction already (auto-commit off: a Spring transaction through a transaction-aware data
     * source), as part of that one, left to its owner to commit or roll back.
     */
    <T> T transaction(Work<T> work) {
        return run(connection -> {
            boolean auto = connection.getAutoCommit();
            if (auto) {
                connection.setAutoCommit(false);
            }
            try {
                T result = work.apply(connection);
                if (auto) {
                    connection.commit();
                }
                return result;
            }
            catch (SQLException | RuntimeException ex) {
                if (auto) {
                    connection.rollback();
                }
                throw ex;
            }
            finally {
                if (auto) {
                    connection.setAutoCommit(true);
                }
            }
        });
    }

    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    <T> T run(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            if (dialect == null) {
                dialect = detect(connection);
            }
            return work.apply(connection);
        }
        catch (SQLException ex) {
            throw new TaskStoreException("task store (" + prefix + "*): " + ex.getMessage() + schemaHint(ex), ex);
        }
    }

    /**
     * What to do when {@code ex} says a table, sequence or column of the store is not there (PostgreSQL's SQL states
     * 42P01 and 42703; H2's error codes 42102 to 42104, 42122 and 90036): its schema was never created (with
     * {@code initialize-schema=never}, or a database that is not embedded) or is older than this version; else
     * nothing.
     */
    private static String schemaHint(SQLException ex) {
        boolean postgres = Set.of("42P01", "42703").contains(String.valueOf(ex.getSQLState()));
        boolean h2 = Set.of(42102, 42103, 42104, 42122, 90036).contains(ex.getErrorCode());
        if (!postgres && !h2) {
            return "";
        }
        return " (the store's schema is missing or older than this version: create it with "
                + "JdbcTaskStore.initializeSchema(), in Spring Boot sweet.async.store.initialize-schema=always, or run "
                + "the scripts under classpath:db/sweet-async/h2 or db/sweet-async/postgresql with your own Flyway)";
    }

    /** Reads the row a result set is on into a value. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** The rows {@code sql} selects with {@code parameters} bound, in its order, each read by {@code reader}. */
    <T> List<T> list(String sql, Reader<T> reader, Object... parameters) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                StoreRows.bind(select, parameters);
                List<T> found = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(reader.read(rows));
                    }
                }
                return found;
            }
        });
    }

    /** The row {@code sql} selects by {@code id} (its one parameter), read by {@code reader}; empty if none. */
    <T> Optional<T> byId(String sql, long id, Reader<T> reader) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setLong(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
                }
            }
        });
    }

    int update(String sql, Object... parameters) {
        return updateWithin(0, sql, parameters);
    }

    /**
     * {@code sql} with {@code parameters} bound, cancelled by the driver after {@code seconds} (0: never); a
     * cancelled one throws a {@link TaskStoreException} whose cause {@link #timedOut} tells.
     */
    int updateWithin(int seconds, String sql, Object... parameters) {
        return run(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setQueryTimeout(seconds);
                StoreRows.bind(statement, parameters);
                return statement.executeUpdate();
            }
        });
    }

    /**
     * Whether {@code ex} is a statement cancelled by its timeout or a lock wait given up: JDBC's
     * {@link SQLTimeoutException}, SQL state 57014 (PostgreSQL's query_canceled) or 55P03 (lock_not_available), or
     * H2's lock timeout (50200) or cancelled statement (57014).
     */
    static boolean timedOut(RuntimeException ex) {
        if (!(ex.getCause() instanceof SQLException cause)) {
            return false;
        }
        return cause instanceof SQLTimeoutException || Set.of("57014", "55P03").contains(cause.getSQLState())
                || cause.getErrorCode() == 50200 || cause.getErrorCode() == 57014;
    }
}
