package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskRecord;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
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
 * Hostile review of durable task state across an outage: a store that is down (SPEC §6: "what could not be written
 * is counted and logged, never silently lost") at the moment its orchestrator closes, and every member down for
 * longer than the retention. Each test failed before its fix.
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

    /**
     * README: "A re-run keeps the name, tags, priority, group, runtime, timeout and retry policy it was submitted
     * with". A durable task is handed over by its member's graceful close (a deployment): its task record is ended
     * CANCELLED, its invocation stays pending. Every member stays down longer than the retention, and the first to
     * start purges before it claims. Before the fix the purge deleted the record of the pending invocation (it only
     * looked at the record's end), and the re-run came back under the handler's name, without its tags or priority.
     */
    @Test
    void aPurgeKeepsTheRecordOfADurableTaskHandedOverAndStillPending() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(store).member("a").durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1))
                .handler("report", String.class, month -> {
                    started.countDown();
                    new CountDownLatch(1).await(); // a long report, stopped by the close
                    return month;
                }).build()) {
            id = a.to(String.class).named("monthly-report").tag("tenant", "acme")
                    .priority(io.sweetasync.TaskPriority.HIGH).durable("report", "2026-11").run().id();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(store.durable(id).orElseThrow().owner()).as("handed over").isZero();
        store.purge(Instant.now().plusSeconds(1)); // the retention has passed for everything that ended

        assertThat(store.find(id)).as("the record of the pending invocation").isPresent();
        try (TaskOrchestrator b = TaskOrchestrator.builder().store(store).member("b").durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1))
                .handler("report", String.class, month -> month).build()) {
            await().atMost(Duration.ofSeconds(20)).alias("the report runs again and completes")
                    .until(() -> store.find(id).map(TaskRecord::status).orElse("").equals("COMPLETED"));
            TaskRecord rerun = store.find(id).orElseThrow();
            assertThat(rerun.name()).isEqualTo("monthly-report");
            assertThat(rerun.tags()).containsEntry("tenant", "acme");
            assertThat(rerun.priority()).isEqualTo("HIGH");
        }
    }
}
