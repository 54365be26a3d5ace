package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/** "When it completes, start the next task" written with the task's CompletableFuture. */
@Timeout(value = 60)
class CompletionCallbackSpawnTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void rootTaskCallbackStartsTask() throws Exception {
        orch = TaskOrchestrator.builder().build();
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> first = orch.to(String.class).named("first").run(() -> { go.await(); return "f"; });
        AtomicReference<Optional<TaskContext>> ctxInCallback = new AtomicReference<>();
        CompletableFuture<SpawningTask<String>> next = first.toCompletableFuture().thenApply(v -> {
            ctxInCallback.set(AsyncTask.current());
            return orch.to(String.class).named("next").run(() -> v + "n");
        });
        go.countDown();
        SpawningTask<String> n = next.get(5, TimeUnit.SECONDS);
        assertThat(n.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("fn");
        System.out.println("context in callback: " + ctxInCallback.get() + ", next's parent " + n.info().parentId());
    }

    @Test
    void childTaskCallbackStartsTaskInsideParentBody() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicReference<Throwable> err = new AtomicReference<>();
        SpawningTask<String> parent = orch.to(String.class).named("parent").run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> c = TaskContext.current().orElseThrow().child(String.class).named("c").run(() -> { go.await(); return "c"; });
            CompletableFuture<String> chained = c.toCompletableFuture()
                    .thenCompose(v -> orch.to(String.class).named("next").run(() -> v + "n").toCompletableFuture());
            go.countDown();
            return chained.join();
        });
        TaskResult<String> r = CompletableFuture.supplyAsync(parent::result).get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(TaskResult.ok("cn"));
    }

    @Test
    void childCallbackOnSingleRuntimeStartsTask() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> parent = orch.to(String.class).named("parent").runtime("single").run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> c = TaskContext.current().orElseThrow().child(String.class).named("c").runtime("virtual").run(() -> { go.await(); return "c"; });
            CompletableFuture<String> chained = c.toCompletableFuture()
                    .thenCompose(v -> orch.to(String.class).named("next").run(() -> v + "n").toCompletableFuture());
            go.countDown();
            return chained.get(5, TimeUnit.SECONDS);
        });
        TaskResult<String> r = CompletableFuture.supplyAsync(parent::result).get(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(TaskResult.ok("cn"));
    }
}
