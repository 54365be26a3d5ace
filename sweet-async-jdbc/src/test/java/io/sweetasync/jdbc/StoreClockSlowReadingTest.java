package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Readings of the database's time whose answer was slow ({@link StoreClock#sync}), on a fake monotonic clock and a
 * fake database clock: the statement reading the database's time (a real H2 connection's, through the store's own
 * {@link StoreConnections}) is answered by {@link FakeDatabase}, which lets the monotonic clock run on by a scripted
 * wait before the database reads its clock (the query queued in a saturated database) and after (the answer held up
 * on its way back: a GC pause, a slow network). No real time is measured.
 *
 * <p>A reading was taken to be the database's time at the midpoint of the query, so one whose answer came back tens
 * of seconds late moved store time by up to half its round trip, and with it the leases written after it: the lease
 * a member renewed after a 20-second round trip was 10 s short (or long), and a live member's lease could look
 * lapsed to the others.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreClockSlowReadingTest {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000 * MILLI;
    /** A database's answer in good time: a millisecond each way (whole milliseconds: no rounding in the checks). */
    private static final long FAST = MILLI;

    /**
     * A good reading, then one answered slowly: store time stays the database's, where it moved by half the round
     * trip (10 s and 15 s) with the midpoint taken for the moment the database read its clock.
     */
    @ParameterizedTest(name = "waits {0} s before the database reads its clock, {1} s after")
    @CsvSource({ "0, 20", "20, 0", "2, 32" })
    void aReadingAnsweredSlowlyDoesNotMoveStoreTime(long beforeSeconds, long afterSeconds) {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        database.read(clock, FAST, FAST);
        database.runFor(10 * SECOND);
        assertThat(clock.now()).isEqualTo(database.now());

        database.read(clock, beforeSeconds * SECOND, afterSeconds * SECOND);
        assertThat(clock.now()).as("store time after a reading of a %d s round trip", beforeSeconds + afterSeconds)
                .isCloseTo(database.now(), within(2L));
        database.runFor(10 * SECOND);
        database.read(clock, FAST, FAST); // and the next good reading is taken as ever
        assertThat(clock.now()).isEqualTo(database.now());
    }

    /** The database's clock is stepped (an operator fixes it): the next good reading is followed, either way. */
    @ParameterizedTest(name = "stepped by {0} ms")
    @ValueSource(longs = { -3_600_000, 3_600_000, -90_000, 5_000, -1_000, 3 })
    void aSteppedDatabaseClockIsFollowedAtTheNextGoodReading(long stepMillis) {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        database.read(clock, FAST, FAST);
        database.runFor(10 * SECOND);
        database.step(stepMillis);
        database.read(clock, FAST, FAST);
        assertThat(clock.now()).isEqualTo(database.now());
    }

    /**
     * A step larger than a slow reading's uncertainty is followed at that reading already: the reading disagrees with
     * the one carried beyond both uncertainties, so something changed; one within it, when every reading after it is
     * slow, is followed once the good reading has aged past them (100 ppm: a 20 s round trip's 10 s after 28 hours),
     * store time meanwhile no further off than the step.
     */
    @Test
    void aSteppedDatabaseClockSeenOnlyBySlowReadingsIsFollowedInBoundedTime() {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        database.read(clock, FAST, FAST);
        database.runFor(10 * SECOND);
        database.step(-60_000);
        database.read(clock, 0, 20 * SECOND); // the answer held up 20 s: 60 s off cannot be that
        assertThat(clock.now()).isCloseTo(database.now(), within(10_001L));

        database.read(clock, FAST, FAST);
        database.step(3_000);
        long followedAfter = -1;
        for (long hours = 0; hours <= 30 && followedAfter < 0; hours++) {
            database.read(clock, 10 * SECOND, 10 * SECOND); // slow both ways: its midpoint is right
            long off = Math.abs(clock.now() - database.now());
            assertThat(off).as("off after %d hours", hours).isLessThanOrEqualTo(3_001);
            if (off <= 1) {
                followedAfter = hours;
            }
            database.runFor(Duration.ofHours(1).toNanos() - 20 * SECOND);
        }
        assertThat(followedAfter).as("hours until followed (not at once: the step is within the readings' uncertainty)")
                .isBetween(1L, 30L);
    }

    /** The first reading is always taken, however slow; a better one replaces it, and a worse one does not. */
    @Test
    void aSlowFirstReadingIsTakenAndABetterOneReplacesIt() {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        database.read(clock, 0, 20 * SECOND);
        long now = database.now();
        assertThat(clock.now()).as("the first reading, off by half its round trip at most")
                .isCloseTo(now - 10_000, within(1L));
        database.read(clock, 0, 4 * SECOND);
        assertThat(clock.now()).as("a less slow one").isCloseTo(database.now() - 2_000,
                within(1L));
        database.read(clock, 0, 30 * SECOND);
        assertThat(clock.now()).as("a slower one is not taken").isCloseTo(database.now() - 2_000,
                within(2L));
        database.read(clock, FAST, FAST);
        assertThat(clock.now()).isEqualTo(database.now());
    }

    /** Every reading slow, from the first: the best of them is kept, the store time never further off than it. */
    @Test
    void everyReadingSlowKeepsTheBestOfThem() {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        long[] afterSeconds = { 30, 20, 25, 12, 40, 12, 15 };
        long best = Long.MAX_VALUE;
        for (long after : afterSeconds) {
            database.read(clock, 0, after * SECOND);
            best = Math.min(best, after * 1_000 / 2);
            assertThat(database.now() - clock.now()).as("behind after a reading of %d s", after)
                    .isBetween(best - 2, best + 2);
            database.runFor(5 * SECOND);
        }
    }

    /** The monotonic clock jumps (a faulty clock source, a VM moved) between readings: the next reading mends it. */
    @ParameterizedTest(name = "jumps {0} s")
    @ValueSource(longs = { 86_400, -86_400, -3_600, 30 })
    void aJumpOfTheMonotonicClockIsMendedAtTheNextReading(long seconds) {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        database.read(clock, FAST, FAST);
        database.runFor(10 * SECOND);
        database.jump(seconds * SECOND);
        database.read(clock, FAST, FAST);
        assertThat(clock.now()).isEqualTo(database.now());
        database.runFor(10 * SECOND);
        assertThat(clock.now()).isEqualTo(database.now());
    }

    /** The monotonic clock goes back during a query: no failure, and a good reading after it is taken. */
    @Test
    void aRoundTripTheMonotonicClockSaysWasNegativeFailsNothing() {
        FakeDatabase database = new FakeDatabase(0);
        StoreClock clock = database.clock();
        database.read(clock, FAST, -5 * SECOND);
        assertThat(clock.now()).isCloseTo(database.now(), within(5_001L));
        database.read(clock, FAST, FAST);
        assertThat(clock.now()).isEqualTo(database.now());
        database.read(clock, -5 * SECOND, FAST);
        database.read(clock, FAST, FAST);
        assertThat(clock.now()).isEqualTo(database.now());
    }

    /** {@code System.nanoTime()} may be anywhere, and wrap: readings across the wrap, a slow one too, are right. */
    @ParameterizedTest(name = "starting at {0}")
    @ValueSource(longs = { Long.MAX_VALUE - 15_000_000_000L, Long.MIN_VALUE, -1 })
    void theMonotonicClockMayWrap(long start) {
        FakeDatabase database = new FakeDatabase(start);
        StoreClock clock = database.clock();
        database.read(clock, FAST, FAST);
        database.runFor(10 * SECOND);
        database.read(clock, 0, 20 * SECOND);
        assertThat(clock.now()).isCloseTo(database.now(), within(2L));
        database.runFor(Duration.ofDays(400).toNanos());
        database.read(clock, FAST, FAST);
        assertThat(clock.now()).isEqualTo(database.now());
    }

    /**
     * A database whose clock this test sets: its time is {@link #offsetMillis} plus the fake monotonic clock's
     * milliseconds (they never drift), and it answers the statement reading its time after the scripted waits.
     */
    private static final class FakeDatabase {

        private final long start;
        private long nanos;
        private long offsetMillis = 1_750_000_000_000L;
        private long waitBefore;
        private long waitAfter;
        private final StoreConnections connections;

        FakeDatabase(long start) {
            this.start = start;
            this.nanos = start;
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:slowclock" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet()
                    + ";DB_CLOSE_DELAY=-1");
            this.connections = new StoreConnections(answering(h2), "slowclock_");
        }

        StoreClock clock() {
            return new StoreClock(this::now, () -> nanos);
        }

        /** The database's time now, epoch milliseconds. */
        long now() {
            return offsetMillis + Math.floorDiv(nanos - start, MILLI);
        }

        void runFor(long elapsedNanos) {
            nanos += elapsedNanos;
        }

        /** The database's clock is set {@code millis} forward (back if negative). */
        void step(long millis) {
            offsetMillis += millis;
        }

        /** The monotonic clock alone jumps by {@code jumpNanos}: the database's time goes on as it was. */
        void jump(long jumpNanos) {
            nanos += jumpNanos;
            offsetMillis -= jumpNanos / MILLI;
        }

        /** A sync of {@code clock} whose query waits {@code before} nanoseconds, then reads the time, then waits. */
        void read(StoreClock clock, long before, long after) {
            waitBefore = before;
            waitAfter = after;
            clock.sync(connections);
        }

        private long answer() {
            nanos += waitBefore;
            long time = now();
            nanos += waitAfter;
            return time;
        }

        /** {@code h2}, but its statements reading the database's time are answered by this fake database. */
        private DataSource answering(DataSource h2) {
            return proxy(DataSource.class, h2, (method, args) -> {
                if (method.getName().equals("getConnection")) {
                    Connection connection = (Connection) method.invoke(h2, args);
                    return proxy(Connection.class, connection, (inner, innerArgs) -> {
                        if (inner.getName().equals("prepareStatement") && innerArgs.length == 1
                                && ((String) innerArgs[0]).contains("EXTRACT(EPOCH")) {
                            return statement();
                        }
                        return inner.invoke(connection, innerArgs);
                    });
                }
                return method.invoke(h2, args);
            });
        }

        private PreparedStatement statement() {
            return proxy(PreparedStatement.class, null, (method, args) -> {
                if (method.getName().equals("executeQuery")) {
                    long time = answer();
                    return proxy(ResultSet.class, null, (row, rowArgs) -> switch (row.getName()) {
                        case "next" -> true;
                        case "getLong" -> time;
                        default -> nothing(row);
                    });
                }
                return nothing(method);
            });
        }
    }

    @FunctionalInterface
    private interface Call {
        Object invoke(Method method, Object[] args) throws Exception;
    }

    /** A {@code type} whose calls {@code call} answers; {@code Object}'s methods answered by {@code target}. */
    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, Call call) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return target == null ? (method.getName().equals("equals") ? self == args[0]
                        : method.getName().equals("hashCode") ? System.identityHashCode(self) : "fake")
                        : method.invoke(target, args);
            }
            try {
                return call.invoke(method, args == null ? new Object[0] : args);
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause();
            }
        });
    }

    /** What a call nothing is asked of answers: nothing, false or zero. */
    private static Object nothing(Method method) {
        Class<?> type = method.getReturnType();
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class || type == long.class) {
            return type == int.class ? (Object) 0 : (Object) 0L;
        }
        return null;
    }
}
