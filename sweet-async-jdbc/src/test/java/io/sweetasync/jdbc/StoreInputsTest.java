package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile values at {@link JdbcTaskStore}'s public methods (SPEC 1.5: a huge duration means "practically
 * never", never an arithmetic error) and what the store keeps of the values the core API lets through.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreInputsTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    /** The tags the core API accepts, at its bounds, are what the store gives back. */
    @ParameterizedTest
    @MethodSource("databases")
    void tagsAtTheirBoundsSurviveTheStore(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).tag("k".repeat(100), "v".repeat(1_000))
                    .tag("a&b=c", "x=y&z").tag("empty", "").group("g".repeat(100)).run(() -> "x");
            task.join();
            assertThat(orchestrator.flushStore()).isTrue();
            TaskRecord stored = store.find(task.id()).orElseThrow();
            assertThat(stored.tags()).containsEntry("k".repeat(100), "v".repeat(1_000)).containsEntry("a&b=c", "x=y&z")
                    .containsEntry("empty", "").hasSize(3);
            assertThat(stored.group()).isEqualTo("g".repeat(100));
        }
    }
}
