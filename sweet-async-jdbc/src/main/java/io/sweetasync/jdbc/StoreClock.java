package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.function.LongSupplier;

/**
 * The store's time for leases: this JVM's wall clock moved by how far it differs from the database's, so that
 * every member sharing a store judges leases by one clock (the database's), whatever its own says. A member whose
 * clock ran ahead of the others by more than a lease took a live member's lease for lapsed, claimed its durable
 * invocations (run a second time) and marked its tasks lost; one whose clock ran behind wrote leases that the others
 * took for lapsed already. Lease ends, the orphans' and unresolved invocations' comparisons and a durable
 * invocation's {@code updated_at} are in store time; the instants users see in task records (created, started,
 * completed) stay in this JVM's.
 *
 * <p>The difference is read at every {@link #sync} (a member's open and each renewal of its lease), as the
 * database's time minus the midpoint of this JVM's clock around the query: wrong by at most half the query's round
 * trip, far below any lease. Between two syncs a step of this JVM's clock (an NTP correction) moves the store time
 * with it, until the next renewal measures it again.
 *
 * <p>Invariants: thread-safe; its one mutable field, the difference, is volatile and written whole (a reader sees
 * one measurement or the next); arithmetic saturates at {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} (a lease that
 * never ends stays "never" in either time).
 */
final class StoreClock {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());
    /** A difference worth saying once in the log: beyond it, the times users see differ visibly between members. */
    private static final long WORTH_SAYING_MILLIS = 1_000;

    private final LongSupplier wallClock;
    /** The database's time minus this JVM's, in milliseconds: 0 until the first sync. */
    private volatile long difference;
    private volatile boolean said;

    StoreClock(LongSupplier wallClock) {
        this.wallClock = wallClock;
    }

    /** Now in store time, epoch milliseconds. */
    long now() {
        return toStore(wallClock.getAsLong());
    }

    /** This JVM's epoch milliseconds in store time (saturating). */
    long toStore(long jvmMillis) {
        return saturatedAdd(jvmMillis, difference);
    }

    /** Store-time epoch milliseconds in this JVM's time (saturating; "never" and "always" stay so). */
    long toJvm(long storeMillis) {
        if (storeMillis == Long.MAX_VALUE || storeMillis == Long.MIN_VALUE) {
            return storeMillis;
        }
        return saturatedAdd(storeMillis, -difference);
    }

    /** Reads the database's time and keeps how far this JVM's clock differs from it. */
    void sync(StoreConnections connections) {
        String sql = connections.dialectNow() == Dialect.H2
                ? "SELECT DATEDIFF('MILLISECOND', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', CURRENT_TIMESTAMP)"
                : "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
        long measured = connections.run(connection -> {
            try (PreparedStatement select = connections.prepare(connection, sql)) {
                long before = wallClock.getAsLong();
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    long database = row.getLong(1);
                    long after = wallClock.getAsLong();
                    return database - (before + (after - before) / 2);
                }
            }
        });
        difference = measured;
        if (Math.abs(measured) >= WORTH_SAYING_MILLIS && !said) {
            said = true;
            LOG.log(System.Logger.Level.WARNING, "this JVM's clock differs from the database's by " + measured
                    + " ms (database minus JVM): the task store (" + connections.prefix() + "*) keeps leases in the "
                    + "database's time, so members still agree on them, but the times in task records come from each "
                    + "member's own clock");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
