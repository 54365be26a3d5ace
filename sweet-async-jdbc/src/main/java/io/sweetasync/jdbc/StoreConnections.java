package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
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
 * <p>Invariants: thread-safe; the only shared mutable state is {@link #dialect}, written once a connection told
 * it (every thread that detects it detects the same kind: a benign race) and volatile, so that a thread
 * that reads it non-null reads a detected kind; the rest is each thread's own ({@link H2Sessions}, the bounds). A
 * transaction is this class's only transaction boundary: begun and committed (or rolled back, whatever the work
 * threw, an {@code Error} included) on one connection inside one {@link #run} call, or left to the owner of a
 * transaction already open on the connection.
 *
 * <p>Statements wait as long as the database makes them, unless bounded: by the seconds a call gives
 * ({@link #updateWithin}), or by the bound this thread's calls share ({@link #within}, {@link StatementBounds}).
 * A bound becomes each statement's query timeout ({@link #prepare}); a statement with no bound gets no
 * {@code setQueryTimeout} call at all. H2 keeps a query timeout on its connection rather than on
 * the statement, so a connection that had one has it taken off before it is closed (handed back to a pool): see
 * {@link H2Sessions}.
 */
final class StoreConnections {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());

    private final DataSource dataSource;
    private final String prefix;
    private volatile Dialect dialect;
    private final StatementBounds bounds;
    /** What H2 keeps on the connection rather than on the statement: this thread's, about its current connection. */
    private final H2Sessions h2;

    StoreConnections(DataSource dataSource, String prefix) {
        this.dataSource = dataSource;
        this.prefix = prefix;
        this.bounds = new StatementBounds(prefix);
        this.h2 = new H2Sessions(prefix);
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
            H2Sessions.warnOfLateWrites(connection);
            H2Sessions.warnOfInterrupts(connection.getMetaData().getURL());
            return Dialect.H2;
        }
        if (product.equalsIgnoreCase("PostgreSQL")) {
            return Dialect.POSTGRESQL;
        }
        throw new TaskStoreException("the task store supports H2 and PostgreSQL, not " + product, null);
    }

    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /** One statement for every row, as one JDBC batch in one transaction (or the caller's); the update counts. */
    <T> int[] batch(String sql, Collection<T> rows, Binder<T> binder) {
        return transaction(connection -> {
            try (PreparedStatement statement = prepare(connection, sql)) {
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
            catch (SQLException | RuntimeException | Error ex) {
                // An Error too (a driver's NoClassDefFoundError, an OutOfMemoryError while binding a row): left open,
                // the setAutoCommit(true) below would commit what the work wrote before it, half a transaction.
                if (auto) {
                    rollBack(connection, ex);
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

    /**
     * Rolls back {@code connection}'s transaction after {@code failure}; a rollback that fails too (the connection
     * broken) is added to {@code failure} as suppressed, so that its caller hears what went wrong first.
     */
    private static void rollBack(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        }
        catch (SQLException | RuntimeException ex) {
            failure.addSuppressed(ex);
        }
    }

    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    /**
     * {@code work} on a connection of its own. The calling thread's interrupt status is set aside for the call and
     * put back after: the store's statements run on its callers' threads too (a durable task's submission), and an
     * interrupt pending on one must not reach the driver: H2's file channel closes on it, and with it the database
     * for the whole process (error 90098), the store and the application's own tables alike.
     */
    <T> T run(Work<T> work) {
        boolean interrupted = Thread.interrupted();
        try {
            return connected(work);
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private <T> T connected(Work<T> work) {
        H2Sessions.SetAside outer = h2.setAside();
        try (Connection connection = dataSource.getConnection()) {
            if (dialect == null) {
                dialect = detect(connection);
            }
            try {
                return work.apply(connection);
            }
            finally {
                h2.untime(connection); // H2 only: PostgreSQL keeps both on the statement
            }
        }
        catch (SQLException ex) {
            throw new TaskStoreException("task store (" + prefix + "*): " + bounds.givenUp(ex, timedOut(ex))
                    + ex.getMessage() + schemaHint(ex), ex);
        }
        finally {
            h2.restore(outer);
        }
    }

    /**
     * Runs {@code calls} with every statement this thread makes in them bounded by {@code bound}, together, from now
     * (see {@link JdbcTaskStore#within}); a bound nested in another keeps the sooner end.
     */
    void within(Duration bound, Runnable calls) {
        bounds.within(bound, calls);
    }

    /** {@code sql} prepared on {@code connection}, bounded by this thread's bound if it has one ({@link #within}). */
    PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        return prepare(connection, sql, 0);
    }

    /**
     * {@code sql} prepared on {@code connection}, cancelled after {@code seconds} (0: no bound of its own) or at the
     * end of this thread's bound, whichever comes first; without either, no query timeout is set (not even 0). A
     * statement whose thread's bound has ended already is not prepared: an {@link SQLTimeoutException} says so.
     */
    private PreparedStatement prepare(Connection connection, String sql, int seconds) throws SQLException {
        int timeout = bounds.timeout(seconds, sql);
        PreparedStatement statement = connection.prepareStatement(sql);
        if (timeout > 0) {
            try {
                if (dialect == Dialect.H2) {
                    h2.timing();
                }
                statement.setQueryTimeout(timeout);
                if (dialect == Dialect.H2) {
                    h2.boundLockWait(connection, timeout);
                }
            }
            catch (SQLException | RuntimeException ex) {
                statement.close();
                throw ex;
            }
        }
        return statement;
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
            try (PreparedStatement select = prepare(connection, sql)) {
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
            try (PreparedStatement select = prepare(connection, sql)) {
                select.setLong(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
                }
            }
        });
    }

    /** {@code sql} with {@code parameters} bound, bounded only by this thread's bound ({@link #within}), if any. */
    int update(String sql, Object... parameters) {
        return execute(0, sql, parameters);
    }

    /**
     * {@code sql} with {@code parameters} bound, cancelled by the driver after {@code seconds} (or sooner, at the end
     * of this thread's bound); a cancelled one throws a {@link TaskStoreException} whose cause {@link #timedOut} tells.
     *
     * @throws IllegalArgumentException if {@code seconds} is not between 1 and {@link StatementBounds#MAX_SECONDS}
     */
    int updateWithin(int seconds, String sql, Object... parameters) {
        if (seconds < 1 || seconds > StatementBounds.MAX_SECONDS) {
            throw new IllegalArgumentException("seconds must be between 1 and " + StatementBounds.MAX_SECONDS + ", was "
                    + seconds);
        }
        return execute(seconds, sql, parameters);
    }

    private int execute(int seconds, String sql, Object... parameters) {
        return run(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, seconds)) {
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
        return ex.getCause() instanceof SQLException cause && timedOut(cause);
    }

    private static boolean timedOut(SQLException ex) {
        String state = ex.getSQLState(); // null for many drivers' and pools' errors (a closed pool)
        return ex instanceof SQLTimeoutException || "57014".equals(state) || "55P03".equals(state)
                || ex.getErrorCode() == 50200 || ex.getErrorCode() == 57014;
    }
}
