package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Progress is frozen when its task finishes: from then on its snapshots show the last values and no
 * supplier is called again. A context kept past its task (handed to another thread, or a runaway body's)
 * may still publish: that must not reopen the progress.
 */
class FrozenProgressTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aValuePublishedAfterTheTaskFinishedIsNeitherShownNorRead() {
        AtomicReference<TaskContext> kept = new AtomicReference<>();
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            kept.set(TaskContext.current().orElseThrow());
            return "done";
        });
        assertThat(task.join()).isEqualTo("done");
        AtomicInteger reads = new AtomicInteger();
        kept.get().progress("late", reads::incrementAndGet);

        assertThat(task.info().progress()).doesNotContainKey("late");
        assertThat(reads).hasValue(0);
    }

    @Test
    void aValuePublishedAfterTheTaskFinishedLeavesTheFrozenValuesAlone() {
        AtomicReference<TaskContext> kept = new AtomicReference<>();
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            context.progress("rows", () -> 7);
            kept.set(context);
            return "done";
        });
        assertThat(task.join()).isEqualTo("done");
        AtomicInteger reads = new AtomicInteger();
        kept.get().progress("late", reads::incrementAndGet);

        assertThat(task.info().progress()).containsExactly(java.util.Map.entry("rows", 7L));
        assertThat(reads).hasValue(0);
    }
}
