package io.sweetasync.jdbc;

import io.sweetasync.TaskId;
import io.sweetasync.TaskLostException;
import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import io.sweetasync.spi.TaskStore.Incarnation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Members and their leases: an incarnation number taken from the database's sequence when a member opens,
 * its lease renewed by heartbeats and ended by a close, and the live non-durable tasks of members whose
 * lease expired marked lost (at every open and heartbeat). Leases are kept in the database's time ({@link StoreClock},
 * measured again at every open and heartbeat), so members whose clocks differ still agree on them.
 *
 * <p>Invariants: thread-safe, no state of its own beyond the store's connections; each call is its own
 * statements on a connection of its own (no transaction spans two calls). The incarnation sequence only
 * ever moves forward, so an incarnation number is handed out once across all members. Lease ends are epoch
 * milliseconds of store time ({@link StoreClock}); the {@code Incarnation} answered carries its lease end in this
 * JVM's time.
 */
final class MemberLeases {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());

    private final String prefix;
    private final StoreConnections connections;
    private final StoreClock clock;

    MemberLeases(String prefix, StoreConnections connections, StoreClock clock) {
        this.prefix = prefix;
        this.connections = connections;
        this.clock = clock;
    }

    /** See {@link JdbcTaskStore#open(String, Duration, long)}. */
    Incarnation open(String member, Duration lease, long atLeast) {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(lease, "lease");
        if (atLeast < 1 || atLeast > TaskId.MAX_INCARNATION) {
            throw new IllegalArgumentException("atLeast must be between 1 and " + TaskId.MAX_INCARNATION + ", was "
                    + atLeast);
        }
        String name = Texts.cut(member, 200); // as a task record's member: a longer name failed the insert
        refuseAutoCommitOffAndSync();
        long now = clock.now();
        long until = leaseUntil(now, lease);
        long number = connections.run(connection -> {
            long next = nextIncarnations(connection, 1);
            if (next < atLeast) {
                next = nextIncarnations(connection, atLeast - next); // distinct values above next: the last >= atLeast
            }
            try (PreparedStatement insert = connections.prepare(connection, "INSERT INTO " + prefix
                    + "member (incarnation, member, started_at, lease_until) VALUES (?, ?, ?, ?)")) {
                insert.setLong(1, next);
                insert.setString(2, name);
                insert.setLong(3, now);
                insert.setLong(4, until);
                insert.executeUpdate();
            }
            return next;
        });
        markLost(now, 0);
        return new Incarnation(number, member, Instant.ofEpochMilli(clock.toJvm(until)));
    }

    /**
     * Refuses, at {@code open}, a {@code DataSource} whose connections come with auto-commit off outside any transaction
     * ({@code HikariConfig.setAutoCommit(false)}). The store takes a connection with auto-commit off for one in its
     * caller's transaction (a Spring transaction's, through a transaction-aware data source) and leaves the commit to
     * that caller; from such a pool nobody commits, and the pool rolls back every call when the connection comes back:
     * an {@code enqueue} returned for an invocation that was never stored, and no lease, record or end was kept. Asked
     * on a thread of its own, to which no caller's transaction is bound: a store opened inside one (an orchestrator
     * built lazily in a transaction) is not refused for it. On that connection, outside any caller's transaction, the
     * database's time is read too ({@link StoreClock#sync}: H2's stands still in a transaction, from its first use).
     */
    private void refuseAutoCommitOffAndSync() {
        CompletableFuture<Boolean> off = new CompletableFuture<>();
        Thread.ofVirtual().name("sweet-async-store-open").start(() -> {
            try {
                off.complete(connections.run(connection -> {
                    if (!connection.getAutoCommit()) {
                        return true;
                    }
                    clock.sync(connections, connection);
                    return false;
                }));
            }
            catch (Throwable ex) {
                off.completeExceptionally(ex);
            }
        });
        boolean autoCommitOff;
        try {
            autoCommitOff = off.join();
        }
        catch (CompletionException ex) {
            if (ex.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (ex.getCause() instanceof Error error) {
                throw error;
            }
            throw ex;
        }
        if (autoCommitOff) {
            throw new TaskStoreException("task store (" + prefix + "*): its DataSource hands out connections with "
                    + "auto-commit off (a pool made so: HikariCP's autoCommit=false, spring.datasource.hikari.auto-commit="
                    + "false): the store takes such a connection for one in its caller's transaction and leaves the "
                    + "commit to it, so nothing it writes would be kept. Give the store a DataSource whose connections "
                    + "have auto-commit on (HikariCP's default; a pool of its own)", null);
        }
    }

    /**
     * When a lease of {@code lease} taken at {@code now} ends, in epoch milliseconds: a huge lease ends "never"
     * ({@code Long.MAX_VALUE}) and a hugely negative one has always ended, where both failed with an overflow
     * naming nothing; a lease that is not positive has ended already (its member counts as dead at once).
     */
    private static long leaseUntil(long now, Duration lease) {
        Objects.requireNonNull(lease, "lease");
        try {
            return Math.addExact(now, lease.toMillis());
        }
        catch (ArithmeticException beyond) {
            return lease.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Takes {@code count} values of the incarnation sequence; returns the largest. */
    private long nextIncarnations(Connection connection, long count) throws SQLException {
        String sql = connections.known() == Dialect.H2
                ? "SELECT NEXT VALUE FOR " + prefix + "incarnation_seq FROM SYSTEM_RANGE(1, ?)"
                : "SELECT nextval('" + prefix + "incarnation_seq') FROM generate_series(1, ?)";
        long largest = 0;
        try (PreparedStatement statement = connections.prepare(connection, sql)) {
            statement.setLong(1, count);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    largest = Math.max(largest, rows.getLong(1));
                }
            }
        }
        return largest;
    }

    /** See {@link JdbcTaskStore#heartbeat(long, Duration)}. */
    int heartbeat(long incarnation, Duration lease) {
        Objects.requireNonNull(lease, "lease");
        clock.sync(connections);
        long now = clock.now();
        long until = leaseUntil(now, lease);
        int renewed = connections.update("UPDATE " + prefix + "member SET lease_until = ? WHERE incarnation = ?", until,
                incarnation);
        if (renewed == 0) {
            // Purged while this member could not renew (its lease lapsed longer than the retention): register
            // it again, or its own pending work would look orphaned and run twice.
            connections.update("INSERT INTO " + prefix + "member (incarnation, member, started_at, lease_until) VALUES "
                    + "(?, ?, ?, ?)", incarnation, "member of incarnation " + incarnation, now, until);
        }
        // The lease is renewed (committed) above. Marking lost waits for locks on the task table (an index built, a
        // VACUUM FULL, a long transaction over a dead member's rows): waiting unbounded kept the lease keeper from its
        // next renewals, so this live member's lease lapsed, its durable tasks were claimed and run a second time
        // elsewhere and its other tasks marked lost. Given up after a third of the lease, and tried at the next renewal.
        // So is any other failure of it (a deadlock with a transaction updating those rows in another order, of which
        // PostgreSQL chose this side): thrown, it read as a failed renewal of a lease that was renewed, and the lease
        // keeper skipped what follows one (the claims, the look at what it owns) and took the member for out of reach.
        return markLostAfterLease(incarnation, now, markLostSeconds(lease));
    }

    /**
     * {@link #markLost} after {@code incarnation}'s lease was renewed (committed): a failure of it is said in the log
     * and left to the next renewal, 0 returned, never thrown as if the lease had not been renewed.
     */
    private int markLostAfterLease(long incarnation, long now, int seconds) {
        try {
            return markLost(now, seconds);
        }
        catch (TaskStoreException ex) {
            String what = StoreConnections.timedOut(ex) ? "waited over " + seconds + " s for a lock on " + prefix + "task"
                    : "failed";
            LOG.log(System.Logger.Level.WARNING, "marking lost the tasks of stopped members " + what + " (the lease of "
                    + "incarnation " + incarnation + " was renewed); tried again at the next renewal: " + ex.getMessage());
            return 0;
        }
    }

    /**
     * How long marking lost may wait after a renewal: a third of {@code lease} in whole seconds, rounded up (10 s of
     * a 30 s lease), at least a second, at most what H2 takes (it keeps the timeout in milliseconds, as an int); no
     * overflow with any lease.
     */
    static int markLostSeconds(Duration lease) {
        long seconds = Math.min(lease.getSeconds(), 3L * StatementBounds.MAX_SECONDS);
        long third = (seconds + (lease.getNano() > 0 ? 1 : 0) + 2) / 3;
        return (int) Math.min(StatementBounds.MAX_SECONDS, Math.max(1, third));
    }

    /** See {@link JdbcTaskStore#close(long)}. */
    void close(long incarnation) {
        connections.update("UPDATE " + prefix + "member SET lease_until = 0 WHERE incarnation = ?", incarnation);
    }

    /**
     * Ends the live non-durable tasks of incarnations whose lease expired before {@code now} (store time), given up
     * after {@code seconds} (0: waits as long as it takes, at open); their records' completion is in this JVM's time,
     * as every instant of a task record.
     */
    private int markLost(long now, int seconds) {
        String sql = "UPDATE " + prefix + "task SET status = 'FAILED', failure_type = 'TaskLostException', "
                + "failure_message = CONCAT(?, (SELECT m.member FROM " + prefix + "member m WHERE m.incarnation = "
                + prefix + "task.incarnation), ')'), completed_at = ? WHERE status IN " + StoreSql.LIVE + " AND durable = "
                + "FALSE AND incarnation IN (SELECT incarnation FROM " + prefix + "member WHERE lease_until < ?)";
        Object[] parameters = { TaskLostException.MESSAGE + " (member ", clock.toJvm(now), now };
        return seconds == 0 ? connections.update(sql, parameters) : connections.updateWithin(seconds, sql, parameters);
    }
}
