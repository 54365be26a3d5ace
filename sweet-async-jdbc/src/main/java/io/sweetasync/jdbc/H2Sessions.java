package io.sweetasync.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What H2 needs that PostgreSQL does not: H2 keeps a statement's query timeout, and the lock timeout that bounds its
 * waits for row locks, on the session (the connection) rather than on the statement, so a bounded statement sets the
 * session's lock timeout too ({@link #boundLockWait}) and the connection has both taken off before it is handed back
 * ({@link #untime}); and two settings of an H2 database lose what the store committed, which it warns of once, when
 * the first connection tells the store it is H2 ({@link #warnOfLateWrites}, {@link #warnOfInterrupts}).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Thread-confined: the state is two {@link ThreadLocal}s, about the connection the thread's current
 * {@code StoreConnections.run} holds. A nested {@code run} (another connection) sets the outer call's state aside
 * ({@link #setAside}) and puts it back after ({@link #restore}), whatever its work threw.</li>
 * <li>A connection that had a statement bounded gets the session's own lock timeout back and its query timeout set
 * to 0 before it is closed; one that had none gets no statement at all.</li>
 * </ul>
 */
final class H2Sessions {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());

    private final String prefix;
    /** Set when a statement on this thread's current connection was given a query timeout. */
    private final ThreadLocal<Boolean> timed = new ThreadLocal<>();
    /**
     * The session's own lock timeout (ms) on this thread's connection, set aside while a bounded statement runs
     * under a shorter one: H2's query timeout does not cut a wait for a row lock, only its LOCK_TIMEOUT does.
     */
    private final ThreadLocal<Integer> lockTimeout = new ThreadLocal<>();

    /** This thread's state about an outer call's connection, set aside while a nested call has one of its own. */
    record SetAside(Boolean timed, Integer lockTimeout) {
    }

    H2Sessions(String prefix) {
        this.prefix = prefix;
    }

    /** Sets this thread's state aside for a call on a connection of its own; see {@link #restore}. */
    SetAside setAside() {
        SetAside outer = new SetAside(timed.get(), lockTimeout.get());
        timed.remove();
        lockTimeout.remove();
        return outer;
    }

    /** Puts back what {@link #setAside} set aside. */
    void restore(SetAside outer) {
        put(timed, outer.timed());
        put(lockTimeout, outer.lockTimeout());
    }

    private static <T> void put(ThreadLocal<T> local, T value) {
        if (value == null) {
            local.remove();
        }
        else {
            local.set(value);
        }
    }

    /** Notes, before the call, that a statement on this thread's connection is given a query timeout. */
    void timing() {
        timed.set(Boolean.TRUE); // before the call: H2 sets it on the connection as it goes
    }

    /**
     * The lock timeout (ms) of an H2 statement bounded by {@code seconds} on a session whose own is {@code own}: the
     * smaller of the two (H2's 0 waits for no lock, it does not mean "no limit").
     */
    static long lockTimeout(int seconds, int own) {
        return Math.min((long) seconds * 1000, Math.max(own, 0));
    }

    /** Waits for row and table locks bounded by {@code seconds} too (the session's own timeout kept aside). */
    void boundLockWait(Connection connection, int seconds) throws SQLException {
        Integer own = lockTimeout.get();
        if (own == null) {
            try (Statement read = connection.createStatement(); ResultSet row = read.executeQuery("SELECT LOCK_TIMEOUT()")) {
                own = row.next() ? row.getInt(1) : 0;
            }
            lockTimeout.set(own);
        }
        long bound = lockTimeout(seconds, own);
        try (Statement set = connection.createStatement()) {
            set.execute("SET LOCK_TIMEOUT " + bound);
        }
    }

    /**
     * If a statement on {@code connection} was bounded: takes the query timeout it left on the connection off it, and
     * gives the session its own lock timeout back (a pooled connection would otherwise hand them to the next call
     * that borrows it, and cancel that call after a bound that was never its own).
     */
    void untime(Connection connection) {
        if (timed.get() == null) {
            return;
        }
        Integer own = lockTimeout.get();
        if (own != null) {
            lockTimeout.remove();
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
     * Warns when an H2 database with files writes commits to them late (its {@code WRITE_DELAY}, 500 ms by
     * default): a process killed in that time loses what it had committed, a durable invocation "stored before
     * {@code run()} returns" among them. In-memory databases have nothing to lose to a late write.
     */
    static void warnOfLateWrites(Connection connection) {
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
}
