package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.8 rule 1 names a task body's thread: a task started from a fallback or an {@code onFinished} listener,
 * which run after the body, on its thread, is a root, not a child of the task that is ending (it could not be:
 * children of a finished parent are refused, rule 5).
 */
class CallbackTasksAreRootsTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    @Test
    void aTaskStartedFromAFallbackIsARoot() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CompletableFuture<SpawningTask<String>> started = new CompletableFuture<>();
            SpawningTask<String> failing = orchestrator.to(String.class).named("failing")
                    .fallback(error -> {
                        started.complete(orchestrator.to(String.class).named("from-fallback").run(() -> "x"));
                        return "fallback";
                    })
                    .run(() -> {
                        throw new IOException("down");
                    });
            assertThat(assertTimeoutPreemptively(HANG, failing::join)).isEqualTo("fallback");
            SpawningTask<String> fromFallback = assertTimeoutPreemptively(HANG, () -> started.get());
            assertThat(assertTimeoutPreemptively(HANG, fromFallback::join)).isEqualTo("x");
            assertThat(fromFallback.info().parent()).as("a root").isEmpty();
        }
    }

    @Test
    void aTaskStartedFromAnOnFinishedListenerIsARoot() {
        CompletableFuture<SpawningTask<String>> started = new CompletableFuture<>();
        TaskOrchestrator[] self = new TaskOrchestrator[1];
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("ending")) {
                    started.complete(self[0].to(String.class).named("from-listener").run(() -> "y"));
                }
            }
        }).build()) {
            self[0] = orchestrator;
            SpawningTask<String> ending = orchestrator.to(String.class).named("ending").run(() -> "done");
            assertThat(assertTimeoutPreemptively(HANG, ending::join)).isEqualTo("done");
            SpawningTask<String> fromListener = assertTimeoutPreemptively(HANG, () -> started.get());
            assertThat(assertTimeoutPreemptively(HANG, fromListener::join)).isEqualTo("y");
            assertThat(fromListener.info().parent()).as("a root").isEmpty();
        }
    }
}
