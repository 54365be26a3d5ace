package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2's default file system reads and writes through a {@code FileChannel}, which the JDK closes when the thread
 * using it is interrupted; H2 then closes the whole database (error 90098). Tasks are interrupted by design, and a
 * durable task's submission runs the store's statements on its caller's thread: an interrupt pending there must
 * not reach the driver, and a URL on that file system is warned of, naming H2's interrupt-safe {@code async:}.
 */
class H2InterruptTest {

    private static final String WARNING = "is in files that an interrupt closes";

    @TempDir
    Path files;

    @Test
    void aStoreOnH2sInterruptibleFilesIsWarnedOfNamingTheAsyncUrl() {
        String url = "jdbc:h2:file:" + files.resolve("plain") + ";WRITE_DELAY=0";
        assertThat(warningsWhileStoreMeets(url)).singleElement().asString()
                .contains("H2 error 90098", "jdbc:h2:async:" + files.resolve("plain") + " (");
        assertThat(warningsWhileStoreMeets("jdbc:h2:" + files.resolve("bare") + ";WRITE_DELAY=0")).hasSize(1);
        assertThat(warningsWhileStoreMeets("jdbc:h2:nio:" + files.resolve("nio") + ";WRITE_DELAY=0")).hasSize(1);
    }

    @Test
    void aStoreOnInterruptSafeFilesOrInMemoryIsNotWarnedOf() {
        assertThat(warningsWhileStoreMeets("jdbc:h2:async:" + files.resolve("async") + ";WRITE_DELAY=0")).isEmpty();
        assertThat(warningsWhileStoreMeets("jdbc:h2:retry:" + files.resolve("retry") + ";WRITE_DELAY=0")).isEmpty();
        assertThat(warningsWhileStoreMeets("jdbc:h2:mem:interrupt-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"))
                .isEmpty();
    }

    @Test
    void aDurableSubmissionOnAnInterruptedThreadIsStoredAndKeepsTheInterrupt() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + files.resolve("submitted") + ";WRITE_DELAY=0");
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("interrupted")
                .durableCodec(new JsonDurableCodec()).storeLease(Duration.ofSeconds(3))
                .handler("echo", String.class, text -> "echo " + text).build()) {
            Thread.currentThread().interrupt();
            SpawningTask<String> handle = orchestrator.to(String.class).durable("echo", "first").run();
            boolean kept = Thread.interrupted();
            assertThat(kept).as("the caller's interrupt status, put back").isTrue();
            assertThat(handle.join()).isEqualTo("echo first");
            assertThat(orchestrator.to(String.class).durable("echo", "second").await())
                    .as("the database still open for the next").isEqualTo("echo second");
            assertThat(orchestrator.flushStore()).isTrue();
        }
        finally {
            Thread.interrupted();
        }
    }

    private static List<String> warningsWhileStoreMeets(String url) {
        return StoreWarnings.whileStoreMeets(url, WARNING);
    }
}
