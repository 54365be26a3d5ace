package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * at the midpoint of the query. A reading is only as good as its round trip: the database read its clock somewhere
 * in it, so the midpoint is wrong by up to half of it (its uncertainty, plus a millisecond for the answer's whole
 * milliseconds). Between two syncs store time moves with this JVM's monotonic clock, never with its wall clock: a
 * step of the wall clock (an NTP correction) between renewals made the claims before the next renewal take live
 * members' leases for lapsed. H2 keeps {@code CURRENT_TIMESTAMP} still inside a transaction (from its first use): on
 * a connection in its caller's transaction H2's time is not read, the last reading kept (at open the store reads it
 * on a connection of its own).
 *
 * <p>Which reading is carried, as NTP chooses: the one of least uncertainty, a kept reading's growing by
 * {@link #DRIFT_PPM} of the time since it was taken (either way: a monotonic clock that jumped back ages it too).
 * Every reading used to replace the last, so one answered seconds late (a slow or saturated database, a GC pause, a
 * slow network) moved store time by up to half its round trip, and the leases written after it with it: after a
 * 20-second round trip a renewed lease was 10 s short or long, and a live member's could look lapsed to the others.
 * Now a reading of a longer round trip is kept only when nothing better is: the first reading always, a slow one
 * once the kept one has aged past it (a 20 s round trip's 10 s after about 28 hours of nothing better). A reading
 * that disagrees with the one carried by more than both uncertainties together cannot be reconciled with it (the
 * database's clock was stepped, by an operator or its NTP; or the monotonic clock jumped; or the drift allowance was
 * exceeded): it is taken, whatever its round trip. So a stepped database clock is followed at the first reading
 * whose round trip is short of about twice the step, at once with the usual readings of a few milliseconds; a step
 * no reading since could tell from its own uncertainty (every reading slow) is followed once the kept reading has
 * aged past theirs, store time meanwhile off by no more than the step and the kept reading's uncertainty. The drift
 * allowance: a monotonic clock and a database's clock on ordinary hardware keep within 100 ppm of each other's rate
 * (quartz is rated 20 to 100 ppm; NTP-disciplined clocks, as both usually are, far closer: NTP itself assumes 15
 * ppm); a larger drift (a clock slewed fast) costs no more than the two readings' uncertainties together: beyond
 * them it shows as a disagreement, and the fresh reading is taken.
 *
 * <p>Invariants: thread-safe; its one mutable field, the reading carried, is volatile and written whole (a reader sees
 * one reading or the next), chosen and written under this clock's lock (of two syncs at once the better reading is
 * kept, not the one written last); the monotonic clock's values are only ever subtracted from each other (it may
 * wrap); arithmetic saturates at {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE}, which stay "always" and "never" in
 * either time. Until a first sync, store time is this JVM's wall clock.
 */
final class StoreClock {

    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());
    /** A difference worth saying once in the log: beyond it, the times users see differ visibly between members. */
    private static final long WORTH_SAYING_MILLIS = 1_000;
    private static final long NANOS_PER_MILLI = 1_000_000;
    /** How fast a reading's uncertainty grows, in parts per million of the time since it was taken (see above). */
    private static final long DRIFT_PPM = 100;

    /**
     * The database's time ({@code storeMillis}) when the monotonic clock said {@code nanos}, wrong by up to
     * {@code errorNanos} either way then.
     */
    private record Reading(long storeMillis, long nanos, long errorNanos) {

        /** Store time when the monotonic clock says {@code at}, carried from this reading. */
        long storeAt(long at) {
            return saturatedAdd(storeMillis, Math.floorDiv(at - nanos, NANOS_PER_MILLI));
        }

        /** This reading's uncertainty when the monotonic clock says {@code at}: grown by the drift allowance. */
        long errorAt(long at) {
            return saturatedAdd(errorNanos, magnitude(at - nanos) / (1_000_000 / DRIFT_PPM));
        }
    }

    private final LongSupplier wallClock;
    private final LongSupplier monotonic;
    /** The reading of the database's time carried (see above); null until the first sync. */
    private volatile Reading reading;
    /** Whether the difference was said in the log: set by the one sync that says it (two at once read it unset). */
    private final AtomicBoolean said = new AtomicBoolean();

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
        return last.storeAt(monotonic.getAsLong());
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
     * Reads the database's time on {@code connection} and carries it if it is the better reading (see the class); on
     * H2, not on a connection in a transaction (its {@code CURRENT_TIMESTAMP} stands still there): the reading
     * carried stays.
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
                long roundTrip = after - before; // negative if the monotonic clock went back: counted by its size
                keep(new Reading(database, before + roundTrip / 2, saturatedAdd(magnitude(roundTrip) / 2,
                        NANOS_PER_MILLI)));
            }
        }
        long measured = difference();
        if (Math.abs(measured) >= WORTH_SAYING_MILLIS && !said.get() && said.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "this JVM's clock differs from the database's by " + measured
                    + " ms (database minus JVM): the task store (" + connections.prefix() + "*) keeps leases in the "
                    + "database's time, so members still agree on them, but the times in task records come from each "
                    + "member's own clock");
        }
    }

    /**
     * Carries {@code fresh} if it is the first reading, no less certain than the one carried (aged to when
     * {@code fresh} was taken), or irreconcilable with it: the two disagree by more than both uncertainties together.
     */
    private synchronized void keep(Reading fresh) {
        Reading last = reading;
        if (last == null) {
            reading = fresh;
            return;
        }
        long lastError = last.errorAt(fresh.nanos());
        long apart = magnitude(saturatedAdd(fresh.storeMillis(), negated(last.storeAt(fresh.nanos()))));
        long allowed = saturatedAdd(lastError, fresh.errorNanos()) / NANOS_PER_MILLI;
        if (fresh.errorNanos() <= lastError || apart > allowed) {
            reading = fresh;
        }
    }

    /** The size of {@code value} ({@code Long.MAX_VALUE} for {@code Long.MIN_VALUE}). */
    private static long magnitude(long value) {
        return value == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(value);
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
