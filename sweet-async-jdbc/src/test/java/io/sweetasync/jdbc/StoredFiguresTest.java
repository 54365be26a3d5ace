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
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored record shows figures as final once they are, not the PENDING ones of the finish: sampled ones,
 * and a runaway's once its body returned.
 */
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

    @Test
    void aRunawaysRecordIsWrittenAgainWhenItsBodyReturns() {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("a")
                .storeFlushInterval(Duration.ofMillis(100)).resourceTracking(ResourceTracking.MEASURE).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> runaway = orchestrator.to(Integer.class).named("runaway").runtime("platform")
                    .timeout(Duration.ofSeconds(1)).run(() -> {
                        double v = 0;
                        while (release.getCount() > 0) { // ignores its interrupt
                            v += Math.sqrt(v + 1);
                        }
                        return v > 0 ? 1 : 0;
                    });
            await().alias("the runaway recorded with its pending CPU").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(store.find(runaway.id())).hasValueSatisfying(record -> {
                        assertThat(record.status()).isEqualTo("TIMED_OUT");
                        assertThat(record.resourceSources().charAt(0)).isEqualTo('P');
                    }));
            release.countDown();
            await().alias("the runaway's own CPU measured").atMost(Duration.ofSeconds(30))
                    .until(() -> runaway.metrics().cpuTimeNanos().source() == ResourceValue.Source.MEASURED);
            ResourceValue cpu = runaway.metrics().cpuTimeNanos();
            await().alias("the record written again with it").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(store.find(runaway.id())).hasValueSatisfying(record -> {
                        assertThat(record.resourceSources()).startsWith("MM").doesNotContain("P");
                        assertThat(record.cpuNanos()).isEqualTo(cpu.amount());
                    }));
        }
    }
}
