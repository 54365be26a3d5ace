package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Probe: a completed future derived from a task's future, kept by the caller, pins the task (its origin field). */
class Review3RetentionTest {

    @Test
    void aKeptDerivedFutureDoesNotPinItsEndedTask() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            Object[] kept = new Object[1];
            WeakReference<Object> task = start(orchestrator, kept);
            for (int i = 0; i < 50 && task.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(((CompletableFuture<?>) kept[0]).join()).isEqualTo("vv");
            assertThat(task.get()).as("the ended task, reachable only from a completed derived future").isNull();
        }
    }

    private static WeakReference<Object> start(TaskOrchestrator orchestrator, Object[] kept) throws Exception {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> "v");
        CompletableFuture<String> derived = task.toCompletableFuture().thenApply(value -> value + value);
        derived.get(10, TimeUnit.SECONDS);
        kept[0] = derived;
        return new WeakReference<>(task);
    }
}
