package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.Function;
import org.junit.jupiter.api.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * README "Runtimes": a body that waits with the get()/join() of its toCompletableFuture() "and of the futures
 * derived from it" gives its slot to a spare thread, so a body on the single runtime may wait for a child queued
 * on the same single runtime. Also the group permit: a body of group "one" (limit 1) waiting so keeps its permit
 * and its child of the same group never starts. Cases [7] and [8] (minimalCompletionStage) fail in both tests.
 */
@Timeout(value = 60)
class DerivedFutureWaitTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    static List<Object[]> derivations() {
        List<Object[]> l = new ArrayList<>();
        l.add(new Object[] {"thenApply", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> f.thenApply(x -> x)});
        l.add(new Object[] {"thenCompose", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> f.thenCompose(x -> CompletableFuture.completedFuture(x))});
        l.add(new Object[] {"thenApplyAsync", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> f.thenApplyAsync(x -> x)});
        l.add(new Object[] {"handle", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> f.handle((x, e) -> x)});
        l.add(new Object[] {"orTimeout", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> f.orTimeout(30, TimeUnit.SECONDS)});
        l.add(new Object[] {"copy", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) CompletableFuture::copy});
        l.add(new Object[] {"minimalStage.toCompletableFuture", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> f.minimalCompletionStage().toCompletableFuture()});
        l.add(new Object[] {"asStage.thenApply.toCompletableFuture", (Function<CompletableFuture<Integer>, CompletableFuture<Integer>>) f -> ((CompletionStage<Integer>) f.minimalCompletionStage()).thenApply(x -> x).toCompletableFuture()});
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("derivations")
    void singleRuntimeBodyWaitsOnDerivedFutureOfQueuedChild(String name, Function<CompletableFuture<Integer>, CompletableFuture<Integer>> derive) throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<Integer> parent = orch.to(Integer.class).named("parent").runtime("single").run(() -> {
            SpawningTask<Integer> child = TaskContext.current().orElseThrow().child(Integer.class).named("child").run(() -> 41);
            // bounded so that the test never hangs: the child runs on the same single runtime
            return derive.apply(child.toCompletableFuture()).get(3, TimeUnit.SECONDS) + 1;
        });
        TaskResult<Integer> r = CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS);
        assertThat(r).as(name).isEqualTo(TaskResult.ok(42));
    }

    /** Same on the default virtual runtime through a group permit: a body may wait for a child of its own group. */
    @ParameterizedTest(name = "group {0}")
    @MethodSource("derivations")
    void groupBodyWaitsOnDerivedFutureOfChildInSameGroup(String name, Function<CompletableFuture<Integer>, CompletableFuture<Integer>> derive) throws Exception {
        orch = TaskOrchestrator.builder().group("one", io.sweetasync.limit.LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1).withMaxWait(Duration.ofSeconds(30))).build();
        SpawningTask<Integer> parent = orch.to(Integer.class).named("parent").group("one").run(() -> {
            SpawningTask<Integer> child = TaskContext.current().orElseThrow().child(Integer.class).named("child").group("one").run(() -> 41);
            return derive.apply(child.toCompletableFuture()).get(3, TimeUnit.SECONDS) + 1;
        });
        TaskResult<Integer> r = CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS);
        assertThat(r).as(name).isEqualTo(TaskResult.ok(42));
    }
}
