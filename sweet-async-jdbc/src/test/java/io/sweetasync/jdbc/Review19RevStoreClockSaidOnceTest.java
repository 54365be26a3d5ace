package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of "Store time keeps the reading of least uncertainty": a JVM clock that differs from the database's by a
 * second or more is said once in the log ({@link StoreClock#sync}), whatever syncs run at once (a member's open
 * beside a renewal, two stores on one clock). The check and the mark were two steps of a volatile flag: two syncs
 * that measured the difference together both read it unset and both warned. Here two syncs at once on each of 2,000
 * fresh clocks, on a real H2 database, this JVM's clock 5 s behind it: the two threads meet in the wall clock's
 * reading (the last step before the check, spinning, so neither parks), then each may warn. No timing asserts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review19RevStoreClockSaidOnceTest {

    private static final int ROUNDS = 2_000;

    @Test
    void twoSyncsAtOnceSayTheDifferenceOnce() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:saidonce" + ProcessHandle.current().pid() + ";DB_CLOSE_DELAY=-1");
        StoreConnections connections = new StoreConnections(h2, "saidonce_");
        Logger logger = Logger.getLogger(JdbcTaskStore.class.getName());
        AtomicInteger warnings = new AtomicInteger();
        Handler counting = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage() != null && record.getMessage().contains("clock differs from the database's")) {
                    warnings.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(counting);
        boolean parents = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false); // thousands of warnings: counted, not printed
        int twice = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                AtomicInteger arrived = new AtomicInteger();
                StoreClock clock = new StoreClock(() -> meet(arrived) - 5_000);
                int before = warnings.get();
                CompletableFuture<Void> other = CompletableFuture.runAsync(() -> clock.sync(connections));
                clock.sync(connections);
                other.get(30, TimeUnit.SECONDS);
                int said = warnings.get() - before;
                assertThat(said).as("round %d: warnings of one clock", round).isBetween(1, 2);
                if (said == 2) {
                    twice++;
                }
            }
        }
        finally {
            logger.removeHandler(counting);
            logger.setUseParentHandlers(parents);
        }
        assertThat(twice).as("clocks (of %d) whose difference was said twice by two syncs at once", ROUNDS).isZero();
    }

    /**
     * This JVM's time, once both syncs have come here (spinning, bounded: a thread that waits longer goes on, the
     * round then not raced). Called only by {@link StoreClock#difference} once a reading is carried.
     */
    private static long meet(AtomicInteger arrived) {
        arrived.incrementAndGet();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (arrived.get() < 2 && System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
        return System.currentTimeMillis();
    }
}
