package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 15: a durable task's terminal status is published a moment before its outcome (its fallback runs in
 * between). A flush in that window read no result and threw (a NullPointerException out of {@code flushStore()}, a
 * SEVERE "task store sync failed unexpectedly" on the writer's thread, the rest of its batch left for later); it
 * now writes that end at the next flush.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review15DurEndDuringFallbackTest {

    @Test
    void aFlushWhileADurableTasksFallbackRunsNeitherThrowsNorLosesTheEnd() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        CountDownLatch inFallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("a")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofSeconds(10))
                .storeLease(Duration.ofSeconds(30)).handler("boom", String.class, s -> {
                    throw new IOException("boom " + s);
                }).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).fallback(error -> {
                inFallback.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return "fallback";
            }).durable("boom", "x").run();
            assertThat(inFallback.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatCode(orchestrator::flushStore).as("a flush while the fallback runs").doesNotThrowAnyException();
            release.countDown();
            assertThat(task.join()).isEqualTo("fallback");
            assertThat(orchestrator.flushStore()).isTrue();
            assertThat(store.durable(task.id()).map(DurableRecord::status)).hasValue("FAILED");
        }
        finally {
            release.countDown();
        }
    }
}
