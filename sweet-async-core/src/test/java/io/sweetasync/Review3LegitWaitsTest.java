package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Waits b0fcc393 must not refuse: the futures waited for end without the waiter's own task ending first. */
@Timeout(30)
class Review3LegitWaitsTest {

    @Test
    void aParentWaitsThroughShapesDerivedFromItsChildren() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            for (String runtime : new String[] {"single", "virtual"}) {
                SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).run(() -> {
                    TaskContext context = TaskContext.current().orElseThrow();
                    SpawningTask<String> a = context.child(String.class).run(() -> "a");
                    SpawningTask<String> b = context.child(String.class).run(() -> {
                        throw new IllegalStateException("b");
                    });
                    CompletableFuture<String> fa = a.toCompletableFuture();
                    CompletableFuture<String> fb = b.toCompletableFuture();
                    String s = fa.thenApply(v -> v + "1").join()
                            + fa.thenCombine(fa.copy(), String::concat).join()
                            + fb.exceptionallyCompose(e -> fa).join()
                            + fb.handle((v, e) -> "h").join()
                            + CompletableFuture.allOf(fa, fb.exceptionally(e -> "x")).thenApply(v -> "all").join()
                            + CompletableFuture.anyOf(fa, new CompletableFuture<>()).join()
                            + fa.minimalCompletionStage().thenApply(v -> "m").toCompletableFuture().join()
                            + fa.thenCompose(v -> fb.exceptionally(e -> "c")).join();
                    return s;
                });
                assertThat(parent.get(10, TimeUnit.SECONDS)).as(runtime).isEqualTo("a1aaahallamc");
            }
        }
    }

    @Test
    void aTaskWaitsForAnotherRootsDerivedFutureAndAnyOfWithItsOwn() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SpawningTask<String> other = orchestrator.to(String.class).run(() -> {
                Thread.sleep(50);
                return "o";
            });
            CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
            SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
                SpawningTask<String> self = handle.get();
                return other.toCompletableFuture().thenApply(v -> v + "!").join()
                        + CompletableFuture.anyOf(self.toCompletableFuture(), other.toCompletableFuture()).join();
            });
            handle.complete(task);
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo("o!o");
        }
    }
}
