package io.sweetasync.hostile;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.Work;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.Sources;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's JDBC driver or connection wrapper written without checked exceptions (Kotlin, Lombok's
 * {@code @SneakyThrows}) may throw one its method does not declare. {@link Sources#query}'s stop caught only
 * {@code SQLException} and unchecked ones. (Its rollback's case is {@code SourcesTest}'s.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class SneakyCheckedDriverTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final String HOLD_URL = "jdbc:h2:mem:sneaky-abort;DB_CLOSE_DELAY=-1";

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
            Work.awaitIgnoringInterrupts(RELEASE);
            return 1;
        }
    }
}
