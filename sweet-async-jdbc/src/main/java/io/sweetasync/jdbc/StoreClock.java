package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.LongSupplier;

/**
 * The store's time for leases: the database's time, read at the last {@link #sync} and carried on by this JVM's
 * monotonic clock ({@code System.nanoTime()}), so that every member sharing a store judges leases by one clock (the
 * database's), whatever its own says. A member whose clock ran ahead of the others by more than a lease took a live
 * member's lease for lapsed, claimed its durable invocations (run a second time) and marked its tasks lost; one whose
 * clock ran behind wrote leases that the others took for lapsed already. Lease ends, the orphans' and unresolved
 * invocations' comparisons and a durable invocation's {@code updated_at} are in store time; the instants users see in
 * task records (created, started, completed) stay in this JVM's, and are turned into store time ({@link #toStore})
 * with how far this JVM's wall clock is from store time now.
 *
 * <p>The database's time is read at every {@link #sync} (a member's open and each renewal of its lease) as epoch
 * milliseconds of its current time ({@code EXTRACT(EPOCH FROM ...)}: H2's {@code DATEDIFF} from a UTC literal
 * counted the session's local time, so the "difference" was the member's time-zone offset), and taken to be the time
 * at the midpoint of the query: wrong by at most half the query's round trip, far below any lease. Between two syncs
 * store time moves with this JVM's monotonic clock, never with its wall clock: a step of the wall clock (an NTP
 * correction) between renewals made the claims before the next renewal take live members' leases for lapsed. H2
 * keeps {@code CURRENT_TIMESTAMP} still inside a transaction (from its first use): on a connection in its caller's
 * transaction H2's time is not read, the last reading kept (at open the store reads it on a connection of its own).
 *
 * <p>Invariants: thread-safe; its one mutable field, the last reading, is volatile and written whole (a reader sees
 * one reading or the next); arithmetic saturates at {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE}, which stay
 * "always" and "never" in either time. Until a first sync, store time is this JVM's wall clock.
 */
final class StoreClock {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());
    /** A difference worth saying once in the log: beyond it, the times users see differ visibly between members. */
    private static final long WORTH_SAYING_MILLIS = 1_000;
    private static final long NANOS_PER_MILLI = 1_000_000;

    /** The database's time ({@code storeMillis}) read when the monotonic clock said {@code nanos}. */
    private record Reading(long storeMillis, long nanos) {
    }

    private final LongSupplier wallClock;
    private final LongSupplier monotonic;
    /** The last reading of the database's time; null until the first sync. */
    private volatile Reading reading;
    private volatile boolean said;

    StoreClock(LongSupplier wallClock) {
        this(wallClock, System::nanoTime);
    }

    StoreClock(LongSupplier wallClock, LongSupplier monotonic) {
        this.wallClock = wallClock;
        this.monotonic = monotonic;
    }

    /** Now in store time, epoch milliseconds. */
    long now() {
        Reading last = reading;
        if (last == null) {
            return wallClock.getAsLong();
        }
        return saturatedAdd(last.storeMillis(), Math.floorDiv(monotonic.getAsLong() - last.nanos(), NANOS_PER_MILLI));
    }

    /** Store time minus this JVM's wall clock, now (0 until the first sync). */
    long difference() {
        return reading == null ? 0 : saturatedAdd(now(), negated(wallClock.getAsLong()));
    }

    /** This JVM's epoch milliseconds in store time (saturating; "never" and "always" stay so). */
    long toStore(long jvmMillis) {
        if (jvmMillis == Long.MAX_VALUE || jvmMillis == Long.MIN_VALUE) {
            return jvmMillis;
        }
        return saturatedAdd(jvmMillis, difference());
    }

    /** Store-time epoch milliseconds in this JVM's time (saturating; "never" and "always" stay so). */
    long toJvm(long storeMillis) {
        if (storeMillis == Long.MAX_VALUE || storeMillis == Long.MIN_VALUE) {
            return storeMillis;
        }
        return saturatedAdd(storeMillis, negated(difference()));
    }

    /** Reads the database's time on a connection of its own (see {@link #sync(StoreConnections, Connection)}). */
    void sync(StoreConnections connections) {
        connections.run(connection -> {
            sync(connections, connection);
            return null;
        });
    }

    /**
     * Reads the database's time on {@code connection} and keeps it; on H2, not on a connection in a transaction
     * (its {@code CURRENT_TIMESTAMP} stands still there): the last reading is kept.
     */
    void sync(StoreConnections connections, Connection connection) throws SQLException {
        Dialect dialect = connections.known(); // known: a connection of the store's told it
        if (dialect == Dialect.H2 && !connection.getAutoCommit()) {
            return;
        }
        String sql = "SELECT CAST(EXTRACT(EPOCH FROM " + (dialect == Dialect.H2 ? "CURRENT_TIMESTAMP" : "clock_timestamp()")
                + ") * 1000 AS BIGINT)";
        try (PreparedStatement select = connections.prepare(connection, sql)) {
            long before = monotonic.getAsLong();
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long database = row.getLong(1);
                long after = monotonic.getAsLong();
                reading = new Reading(database, before + (after - before) / 2);
            }
        }
        long measured = difference();
        if (Math.abs(measured) >= WORTH_SAYING_MILLIS && !said) {
            said = true;
            LOG.log(System.Logger.Level.WARNING, "this JVM's clock differs from the database's by " + measured
                    + " ms (database minus JVM): the task store (" + connections.prefix() + "*) keeps leases in the "
                    + "database's time, so members still agree on them, but the times in task records come from each "
                    + "member's own clock");
        }
    }

    private static long negated(long value) {
        return value == Long.MIN_VALUE ? Long.MAX_VALUE : -value;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
