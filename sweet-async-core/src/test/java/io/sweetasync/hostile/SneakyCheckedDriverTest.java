package io.sweetasync.hostile;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.Sources;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's JDBC driver or connection wrapper written without checked exceptions (Kotlin, Lombok's
 * {@code @SneakyThrows}) may throw one its method does not declare. {@link Sources#query} caught only
 * {@code SQLException} and unchecked ones where the driver's failure is to be kept under another.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class SneakyCheckedDriverTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final String URL = "jdbc:h2:mem:sneaky-rollback;DB_CLOSE_DELAY=-1";
    private static final String HOLD_URL = "jdbc:h2:mem:sneaky-abort;DB_CLOSE_DELAY=-1";

    /**
     * {@code Sources.query}: the query's own failure is the sender's error, a failing rollback only suppressed by it
     * (as {@code SourcesTest.aFailingRollbackDoesNotHideTheQuerysOwnError} has it for a {@code SQLException}); a
     * rollback that threw an undeclared checked exception replaced the row's failure.
     */
    @Test
    void aRollbackThatThrowsACheckedExceptionDoesNotHideTheQuerysOwnError() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(URL);
        try (Connection connection = h2.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table numbers(n int primary key)");
            ddl.execute("insert into numbers select x from system_range(1, 10)");
        }
        AtomicBoolean failed = new AtomicBoolean();
        // A proxy for the source (which throws nothing here); the connection is the driver's class, whose own method
        // throws: a proxy would wrap an undeclared checked exception in an UndeclaredThrowableException.
        DataSource failingRollback = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection") || args != null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return new JdbcConnection(URL, new Properties(), "", "", false) {
                        @Override
                        public void rollback() throws SQLException {
                            if (failed.compareAndSet(false, true)) {
                                throw sneaky(new IOException("the driver's rollback failed"));
                            }
                            super.rollback();
                        }
                    };
                });
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                        .sender(Sources.query(failingRollback, "select n from numbers order by n", 4, row -> {
                            if (row.getInt(1) == 3) {
                                throw new IllegalStateException("row 3 is bad");
                            }
                            return row.getInt(1);
                        }))
                        .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                        .awaitFinalEvent();
                assertThat(done.received()).isEqualTo(2);
                assertThat(done.errors()).singleElement().satisfies(error -> {
                    assertThat(error.error()).isInstanceOf(IllegalStateException.class).hasMessage("row 3 is bad");
                    assertThat(error.error().getSuppressed()).singleElement().satisfies(suppressed -> assertThat(
                            suppressed).isInstanceOf(IOException.class).hasMessage("the driver's rollback failed"));
                });
            }
        });
    }

    /**
     * {@code QueryStop.stop}: a stopped pipeline's query that does not return within 5 s of its cancel has its
     * connection aborted, and one that cannot be aborted is said in the log ("its sender waits for the database"). A
     * driver's abort that threw an undeclared checked exception killed the watching thread: nothing was said.
     */
    @Test
    void anAbortThatThrowsACheckedExceptionIsStillSaid() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(HOLD_URL);
        try (Connection connection = h2.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("create alias hold for '" + Held.class.getName() + ".hold'");
        }
        DataSource failingAbort = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection") || args != null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return new JdbcConnection(HOLD_URL, new Properties(), "", "", false) {
                        @Override
                        public void abort(Executor executor) {
                            throw sneaky(new IOException("the driver's abort failed"));
                        }
                    };
                });
        try (LogLines log = LogLines.capture(Sources.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(Sources.query(failingAbort, "select hold()", 1, row -> row.getInt(1)))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            try {
                assertThat(Held.HOLDING.await(30, TimeUnit.SECONDS)).isTrue();
                task.cancel();
                await().atMost(Duration.ofSeconds(30)).until(() -> log.formatted().stream()
                        .anyMatch(line -> line.contains("its connection could not be aborted")));
            }
            finally {
                Held.RELEASE.countDown();
            }
            assertTimeoutPreemptively(HANG, () -> task.result());
        }
    }

    /** A database function that waits, deaf to the query's cancel and to interrupts, until the test lets it return. */
    public static final class Held {

        static final CountDownLatch HOLDING = new CountDownLatch(1);
        static final CountDownLatch RELEASE = new CountDownLatch(1);

        private Held() {
        }

        /** Called by the database for {@code hold()}. */
        public static int hold() {
            HOLDING.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    RELEASE.await();
                    break;
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }
    }
}
