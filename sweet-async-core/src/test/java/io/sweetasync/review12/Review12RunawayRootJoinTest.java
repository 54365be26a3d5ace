package io.sweetasync.review12;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The body of a root that timed out and still runs (a runaway) joins its children: the root lets go of its tree only
 * once that body returned. Letting go at the root's end, as first built, answered its joinChildren() an empty list
 * though it had started three children that completed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12RunawayRootJoinTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aTimedOutRootsStillRunningBodyStillJoinsItsChildren() throws Exception {
        CompletableFuture<List<TaskResult<?>>> joined = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<TaskContext> context = new CompletableFuture<>();
        SpawningTask<String> root = orchestrator.to(String.class).named("root").runtime("platform")
                .timeout(Duration.ofMillis(50)).run(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    context.complete(ctx);
                    for (int i = 0; i < 3; i++) {
                        ctx.runChild(() -> "c");
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!ended.get() && System.nanoTime() < deadline) {
                        Thread.onSpinWait(); // ignores its interrupt: a runaway
                    }
                    joined.complete(ctx.joinChildren());
                    return "late";
                });
        root.result();
        assertThat(root.status()).isEqualTo(TaskStatus.TIMED_OUT);
        ended.set(true); // its end (the history entry, the finisher's part) is all done once result() returned
        List<TaskResult<?>> results = joined.get(60, TimeUnit.SECONDS);
        assertThat(root.info().childCount()).isEqualTo(3);
        assertThat(results).as("its own body's joinChildren(), after its root timed out").hasSize(3)
                .allSatisfy(result -> assertThat(result.isOk()).isTrue());
        // once the body returned, the tree is let go of: a context kept past that lists no children
        TaskContext kept = context.get(60, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> kept.children().isEmpty());
    }
}
