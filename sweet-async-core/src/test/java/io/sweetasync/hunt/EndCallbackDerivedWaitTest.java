package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.time.Duration;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/**
 * README "Timeouts": the deadline does not bound a fallback or onFinished; README "Runtimes": their waits for the
 * task itself / an ancestor are refused ("a refused fallback fails as a throwing one does"; "in onFinished the
 * task's own handle gives its outcome at once"). Through a future derived from the task's future
 * (thenApply) the wait is neither refused nor answered: the task never ends, its timeout notwithstanding.
 * Each test unsticks the wait itself after 3 s (completing the derived future) so that nothing hangs.
 */
@Timeout(value = 60)
class EndCallbackDerivedWaitTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void fallbackJoiningDerivedFutureOfItsOwnTask() throws Exception {
        orch = TaskOrchestrator.builder().build();
        CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
        AtomicReference<CompletableFuture<String>> derived = new AtomicReference<>();
        SpawningTask<String> t = orch.to(String.class).named("fb").timeout(Duration.ofMillis(50))
                .fallback(e -> {
                    CompletableFuture<String> d = self.join().toCompletableFuture().thenApply(x -> x);
                    derived.set(d);
                    return d.join(); // direct toCompletableFuture().join() here is refused at once
                })
                .run(() -> { Thread.sleep(10_000); return "x"; });
        self.complete(t);
        TaskResult<String> r;
        try {
            r = CompletableFuture.supplyAsync(t::result).get(3, TimeUnit.SECONDS);
        } catch (TimeoutException stuck) {
            derived.get().complete("unstuck by the test");
            t.result();
            throw new AssertionError("task with timeout 50 ms still not ended after 3 s: its fallback waits for it", stuck);
        }
        assertThat(r.isOk()).isFalse();
    }

    @Test
    void onFinishedJoiningDerivedFutureOfItsOwnTask() throws Exception {
        CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
        AtomicReference<CompletableFuture<String>> derived = new AtomicReference<>();
        orch = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override public void onFinished(TaskInfo task) {
                if (!task.name().equals("lf")) return;
                CompletableFuture<String> d = self.join().toCompletableFuture().thenApply(x -> x);
                derived.set(d);
                d.join();
            }
        }).build();
        SpawningTask<String> t = orch.to(String.class).named("lf").timeout(Duration.ofMillis(50)).run(() -> "x");
        self.complete(t);
        try {
            CompletableFuture.supplyAsync(t::result).get(3, TimeUnit.SECONDS);
        } catch (TimeoutException stuck) {
            derived.get().complete("unstuck by the test");
            t.result();
            throw new AssertionError("task still not ended after 3 s: its onFinished listener waits for it", stuck);
        }
    }
}
