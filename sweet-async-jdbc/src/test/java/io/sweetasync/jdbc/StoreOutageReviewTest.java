package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of a store that is down (SPEC §6: "what could not be written is counted and logged, never silently
 * lost") at the moment its orchestrator closes. Each test failed before its fix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreOutageReviewTest {

    /**
     * The store goes down, a task ends, and the orchestrator closes before the store is back. While it was down the
     * log said the record "waits and is retried"; the close's last write fails, and nothing retries it any more.
     * Before the fix nothing said so: the store-down warning is logged once per outage, and the close only logged
     * that releasing the lease failed. Now the close names how many records it could not write.
     */
    @Test
    void aCloseWhileTheStoreIsDownSaysHowManyRecordsItCouldNotWrite() {
        ReviewSupport.GatedStore store = new ReviewSupport.GatedStore(Databases.h2().newStore());
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(String.valueOf(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("io.sweetasync.StoreSync");
        log.addHandler(handler);
        try {
            TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("closing")
                    .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1)).build();
            try {
                store.down = true;
                orchestrator.to(String.class).named("unwritten").await(() -> "done");
                await().atMost(Duration.ofSeconds(20)).alias("the writer tried and failed")
                        .until(() -> orchestrator.storeStatistics().orElseThrow().failedWrites() > 0);
            }
            finally {
                orchestrator.close();
            }
            assertThat(warnings).as("the close says what it could not write")
                    .anySatisfy(warning -> assertThat(warning).contains("1 task record(s) not written", "closing"));
        }
        finally {
            log.removeHandler(handler);
        }
    }
}
