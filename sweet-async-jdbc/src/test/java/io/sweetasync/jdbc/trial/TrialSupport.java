package io.sweetasync.jdbc.trial;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.jdbc.JsonDurableCodec;
import io.sweetasync.spi.TaskStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** What a new user sets up from the README: a file-based H2 (WRITE_DELAY=0) behind a Hikari pool. */
final class TrialSupport {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private TrialSupport() {
    }

    static String url(Path dir) {
        // -Dtrial.h2.prefix=async: tries H2's interrupt-safe file system (see TrialDurableFindingsTest)
        return url(dir, System.getProperty("trial.h2.prefix", "file:"));
    }

    /** The store's H2 URL in {@code dir} on H2's file system {@code prefix} ({@code file:}, {@code async:}). */
    static String url(Path dir, String prefix) {
        return "jdbc:h2:" + prefix + dir.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0";
    }

    static HikariDataSource pool(Path dir) {
        return pool(url(dir));
    }

    static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(6);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(2_000);
        config.setPoolName("trial-" + POOLS.incrementAndGet());
        return new HikariDataSource(config);
    }

    static JdbcTaskStore store(HikariDataSource pool) {
        JdbcTaskStore store = new JdbcTaskStore(pool);
        store.initializeSchema();
        return store;
    }

    /** A member as a user builds it, with a short lease and flush interval so a test need not wait long. */
    static TaskOrchestrator.Builder member(TaskStore store, String name) {
        return TaskOrchestrator.builder().store(store).member(name).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }
}
