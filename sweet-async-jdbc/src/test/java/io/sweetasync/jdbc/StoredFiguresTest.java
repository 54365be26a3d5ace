package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.ResourceTracking;
import io.sweetasync.ResourceValue;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stored record shows sampled figures as final once they are, not the PENDING ones of the finish. */
class StoredFiguresTest {

    @Test
    void aRecordIsWrittenAgainWhenItsSampledFiguresArrive(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("data.bin"), new byte[2 << 20]);
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("a")
                .storeFlushInterval(Duration.ofMillis(100)).resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
                .build()) {
            SpawningTask<Integer> reader = orchestrator.to(Integer.class).named("reader")
                    .run(() -> Files.readAllBytes(file).length);
            reader.join();
            await().atMost(Duration.ofSeconds(20)).until(() -> !reader.metrics().bytesRead().isPending());
            ResourceValue read = reader.metrics().bytesRead();
            assertThat(read.source()).isEqualTo(ResourceValue.Source.SAMPLED);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(store.find(reader.id()))
                    .hasValueSatisfying(record -> {
                        assertThat(record.status()).isEqualTo("COMPLETED");
                        assertThat(record.resourceSources()).doesNotContain("P");
                        assertThat(record.resourceSources().charAt(2)).isEqualTo('S');
                        assertThat(record.bytesRead()).isEqualTo(read.amount()).isGreaterThanOrEqualTo(2 << 20);
                    }));
            assertThat(orchestrator.find(reader.id()).orElseThrow().metrics().bytesRead()).isEqualTo(read);
        }
    }
}
