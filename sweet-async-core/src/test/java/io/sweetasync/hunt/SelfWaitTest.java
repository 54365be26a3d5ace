package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.function.Function;
import org.junit.jupiter.api.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * README "Runtimes": "The cycles the engine can see are refused at once with an IllegalArgumentException or
 * IllegalStateException naming both tasks: a body that waits for its own task or an ancestor's". A child's
 * unbounded join() of its parent's future is refused; the same join() on a future derived from it (thenApply,
 * copy, minimalCompletionStage) - waits the engine intercepts (ManagedFuture) for the slot hand-over - is not: the
 * child waits until the parent's deadline (3 s here), for ever without one. Cases [3], [4], [5] fail.
 */
@Timeout(value = 60)
class SelfWaitTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    static List<Object[]> waits() {
        List<Object[]> l = new ArrayList<>();
        l.add(new Object[] {"join", (Function<SpawningTask<String>, Object>) SpawningTask::join});
        l.add(new Object[] {"future.join", (Function<SpawningTask<String>, Object>) t -> t.toCompletableFuture().join()});
        l.add(new Object[] {"future.thenApply.join", (Function<SpawningTask<String>, Object>) t -> t.toCompletableFuture().thenApply(x -> x).join()});
        l.add(new Object[] {"future.copy.join", (Function<SpawningTask<String>, Object>) t -> t.toCompletableFuture().copy().join()});
        l.add(new Object[] {"minimal.toCompletableFuture.join", (Function<SpawningTask<String>, Object>) t -> t.toCompletableFuture().minimalCompletionStage().toCompletableFuture().join()});
        l.add(new Object[] {"chain.join", (Function<SpawningTask<String>, Object>) t -> t.chain(x -> x).join()});
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("waits")
    void childWaitsForParent(String name, Function<SpawningTask<String>, Object> wait) throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
        SpawningTask<String> parent = orch.to(String.class).named("parent").timeout(Duration.ofSeconds(3)).run(() -> {
            SpawningTask<String> me = self.get();
            TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> {
                try { wait.apply(me); } catch (Throwable e) { seen.set(e); }
                return "c";
            });
            return "p";
        });
        self.complete(parent);
        CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS);
        assertThat(seen.get()).as(name + " (parent ended " + parent.status() + ")").isInstanceOfAny(IllegalStateException.class, IllegalArgumentException.class);
    }
}
