package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code shutdown(grace)} called by user code that runs while a task of the same orchestrator cannot end:
 * a body of it (covered by {@code HostileTreesTest}), its fallback, its {@code onFinished} listener. The
 * call waits for the other trees, never for a tree that cannot end before the call returns (the caller's
 * own, and the tasks that start only after it): before the fix, a fallback, a child's listener, or a body
 * whose task had an {@code after} dependent waited the whole grace (a day here) for a tree that could only
 * end once the wait was over, and then cancelled everything.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownFromCallbacksTest {

    private static final Duration HANG = Duration.ofSeconds(20);
    private static final Duration DAY = Duration.ofDays(1);
    private static final List<String> RUNTIMES = List.of("virtual", "single");

    @Test
    void aFallbackShuttingDownItsOrchestratorDoesNotWaitForItsOwnTree() {
        for (String runtime : RUNTIMES) {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                CompletableFuture<Boolean> answer = new CompletableFuture<>();
                SpawningTask<String> root = orchestrator.to(String.class).runtime(runtime).named("root").run(() ->
                        TaskContext.current().orElseThrow().child(String.class).named("child")
                                .fallback(error -> {
                                    answer.complete(orchestrator.shutdown(DAY));
                                    return "fallback";
                                })
                                .run(() -> {
                                    throw new IllegalStateException("child failed");
                                }).join());
                assertThat(assertTimeoutPreemptively(HANG, root::join)).as(runtime).isEqualTo("fallback");
                assertThat(answer.join()).as("nothing else was running on " + runtime).isTrue();
            }
        }
    }

    @Test
    void aChildsListenerShuttingDownItsOrchestratorDoesNotWaitForTheChildsTree() {
        for (String runtime : RUNTIMES) {
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            CompletableFuture<TaskOrchestrator> self = new CompletableFuture<>();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    if (task.name().equals("child")) {
                        answer.complete(self.join().shutdown(DAY));
                    }
                }
            }).build()) {
                self.complete(orchestrator);
                SpawningTask<String> root = orchestrator.to(String.class).runtime(runtime).named("root").run(() ->
                        TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> "c").join());
                assertThat(assertTimeoutPreemptively(HANG, root::join)).as(runtime).isEqualTo("c");
                assertThat(answer.join()).as("nothing else was running on " + runtime).isTrue();
            }
        }
    }

    @Test
    void aBodyShuttingDownDoesNotWaitForTheTasksThatStartOnlyAfterIt() {
        for (String runtime : RUNTIMES) {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                CompletableFuture<Boolean> answer = new CompletableFuture<>();
                CompletableFuture<Void> dependentMade = new CompletableFuture<>();
                SpawningTask<String> first = orchestrator.to(String.class).runtime(runtime).named("first").run(() -> {
                    dependentMade.join();
                    answer.complete(orchestrator.shutdown(DAY));
                    return "first";
                });
                SpawningTask<String> next = orchestrator.to(String.class).runtime(runtime).named("next").after(first)
                        .run(() -> "next");
                dependentMade.complete(null);
                assertThat(assertTimeoutPreemptively(HANG, next::join)).as(runtime).isEqualTo("next");
                assertThat(answer.join()).as("nothing else was running on " + runtime).isTrue();
            }
        }
    }

    /** onCreated and onQueued run before the task is submitted or admitted: it cannot end while they run. */
    @Test
    void anOnCreatedOrOnQueuedListenerShuttingDownDoesNotWaitForItsTask() {
        for (String event : List.of("onCreated", "onQueued")) {
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            CompletableFuture<TaskOrchestrator> self = new CompletableFuture<>();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
                @Override
                public void onCreated(TaskInfo task) {
                    shutDownOn("onCreated", task);
                }

                @Override
                public void onQueued(TaskInfo task) {
                    shutDownOn("onQueued", task);
                }

                private void shutDownOn(String now, TaskInfo task) {
                    if (now.equals(event) && task.name().equals("told")) {
                        answer.complete(self.join().shutdown(DAY));
                    }
                }
            }).build()) {
                self.complete(orchestrator);
                SpawningTask<String> task = assertTimeoutPreemptively(HANG,
                        () -> orchestrator.to(String.class).named("told").run(() -> "v"));
                assertTimeoutPreemptively(HANG, task::result);
                assertThat(answer.join()).as(event).isTrue();
            }
        }
    }
}
