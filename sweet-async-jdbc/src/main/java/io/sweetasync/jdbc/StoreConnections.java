package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
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
 * that reads it non-null reads a detected kind; the rest is each thread's own ({@link #timed}, the bounds). A
 * transaction is this class's only transaction boundary: begun and committed (or rolled back, whatever the work
 * threw, an {@code Error} included) on one connection inside one {@link #run} call, or left to the owner of a
 * transaction already open on the connection.
 *
 * <p>Statements wait as long as the database makes them, unless bounded: by the seconds a call gives
 * ({@link #updateWithin}), or by the bound this thread's calls share ({@link #within}, {@link StatementBounds}).
 * A bound becomes each statement's query timeout ({@link #prepare}); a statement with no bound gets no
 * {@code setQueryTimeout} call at all. H2 keeps a query timeout on its connection rather than on
 * the statement, so a connection that had one has it taken off before it is closed (handed back to a pool).
 */
final class StoreConnections {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());

    private final DataSource dataSource;
    private final String prefix;
    private volatile Dialect dialect;
    private final StatementBounds bounds;
    /** Set when a statement on this thread's current connection ({@link #run}) was given a query timeout. */
    private final ThreadLocal<Boolean> timed = new ThreadLocal<>();
    /**
     * H2: the session's own lock timeout (ms) on this thread's connection, set aside while a bounded statement runs
     * under a shorter one: H2's query timeout does not cut a wait for a row lock, only its LOCK_TIMEOUT does.
     */
    private final ThreadLocal<Integer> h2LockTimeout = new ThreadLocal<>();

    StoreConnections(DataSource dataSource, String prefix) {
        this.dataSource = dataSource;
        this.prefix = prefix;
        this.bounds = new StatementBounds(prefix);
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
            warnOfInterrupts(connection.getMetaData().getURL());
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

    /**
     * Warns when an H2 database is in files that an interrupt closes: H2's default file system ({@code file:}, or a
     * path alone, and {@code nio:}) reads and writes through a {@code FileChannel}, which the JDK closes when the
     * thread using it is interrupted; H2 then closes the database for the whole process (error 90098). Tasks are
     * interrupted by design (a cancel, a timeout, a shutdown), so a task that uses the same database when that
     * happens takes the store down with it. {@code async:} (an {@code AsynchronousFileChannel}) and {@code retry:}
     * are not closed so; a server ({@code tcp:}, {@code ssl:}) and {@code mem:} have no channel in this process.
     */
    static void warnOfInterrupts(String url) {
        if (url == null || !url.startsWith("jdbc:h2:")) {
            return;
        }
        String rest = url.substring("jdbc:h2:".length());
        for (String safe : List.of("mem:", "tcp:", "ssl:", "async:", "retry:")) {
            if (rest.startsWith(safe)) {
                return;
            }
        }
        String path = rest.startsWith("file:") ? rest.substring("file:".length())
                : rest.startsWith("nio:") ? rest.substring("nio:".length()) : rest;
        LOG.log(System.Logger.Level.WARNING, "the task store's H2 database (" + url + ") is in files that an interrupt "
                + "closes: a task interrupted (cancelled, timed out, shut down) while it uses this database closes it for "
                + "the whole process (H2 error 90098), the task store included. Use H2's interrupt-safe file system: "
                + "jdbc:h2:async:" + path + " (with the URL's settings, ;WRITE_DELAY=0 among them)");
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
        Boolean outer = timed.get();
        Integer outerLock = h2LockTimeout.get();
        timed.remove();
        h2LockTimeout.remove();
        try (Connection connection = dataSource.getConnection()) {
            if (dialect == null) {
                dialect = detect(connection);
            }
            try {
                return work.apply(connection);
            }
            finally {
                if (timed.get() != null) {
                    untime(connection);
                }
            }
        }
        catch (SQLException ex) {
            throw new TaskStoreException("task store (" + prefix + "*): " + bounds.givenUp(ex, timedOut(ex))
                    + ex.getMessage() + schemaHint(ex), ex);
        }
        finally {
            if (outer == null) {
                timed.remove();
            }
            else {
                timed.set(outer);
            }
            if (outerLock == null) {
                h2LockTimeout.remove();
            }
            else {
                h2LockTimeout.set(outerLock);
            }
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
                timed.set(Boolean.TRUE); // before the call: H2 sets it on the connection as it goes
                statement.setQueryTimeout(timeout);
                if (dialect == Dialect.H2) {
                    boundLockWait(connection, timeout);
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
     * The lock timeout (ms) of an H2 statement bounded by {@code seconds} on a session whose own is {@code own}: the
     * smaller of the two (H2's 0 waits for no lock, it does not mean "no limit").
     */
    static long h2LockTimeout(int seconds, int own) {
        return Math.min((long) seconds * 1000, Math.max(own, 0));
    }

    /** H2: waits for row and table locks bounded by {@code seconds} too (the session's own timeout kept aside). */
    private void boundLockWait(Connection connection, int seconds) throws SQLException {
        Integer own = h2LockTimeout.get();
        if (own == null) {
            try (Statement read = connection.createStatement(); ResultSet row = read.executeQuery("SELECT LOCK_TIMEOUT()")) {
                own = row.next() ? row.getInt(1) : 0;
            }
            h2LockTimeout.set(own);
        }
        long bound = h2LockTimeout(seconds, own);
        try (Statement set = connection.createStatement()) {
            set.execute("SET LOCK_TIMEOUT " + bound);
        }
    }

    /**
     * Takes the query timeout a statement left on {@code connection} off it, and gives the session its own lock timeout
     * back, on H2 (which keeps both on the connection:
     * a pooled one would otherwise hand it to the next call that borrows it, and cancel that call after a bound that
     * was never its own). PostgreSQL keeps it on the statement.
     */
    private void untime(Connection connection) {
        if (dialect != Dialect.H2) {
            return;
        }
        Integer own = h2LockTimeout.get();
        if (own != null) {
            h2LockTimeout.remove();
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCK_TIMEOUT " + own);
            }
            catch (SQLException ex) {
                LOG.log(System.Logger.Level.WARNING, "task store (" + prefix + "*) could not give its H2 connection "
                        + "its lock timeout back: " + ex.getMessage());
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(0);
        }
        catch (SQLException ex) {
            LOG.log(System.Logger.Level.WARNING, "task store (" + prefix + "*) could not take a query timeout off "
                    + "its H2 connection; a later statement on it may be cancelled early: " + ex.getMessage());
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
