package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the own thread's wake (896ac479), a probe that holds: the own threads of two single runtimes wait
 * for the same task (one through the wake, the other the usual way), through its join and its future; callbacks of
 * that future, older and newer than the waits, start a task on each single runtime and join it. Everything finishes:
 * neither spare leaves a task for good to an own thread that does not come back for it.
 */
@Timeout(120)
class Review10WakeTwoOwnThreadsTest {

    @RepeatedTest(10)
    void twoOwnThreadsOnOneTaskAndCallbacksJoiningTasksOnTheirRuntimes() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("s1"))
                .runtime(TaskRuntime.single("s2")).build()) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> t = o.to(String.class).named("t").run(() -> {
                go.await();
                return "t";
            });
            CompletableFuture<String> f = t.toCompletableFuture();
            List<CompletableFuture<String>> callbacks = new ArrayList<>();
            for (String rt : List.of("s1", "s2")) { // older than the waits
                callbacks.add(f.thenApply(v -> v + o.to(String.class).named("old-" + rt).runtime(rt).run(() -> rt).join()));
            }
            List<SpawningTask<String>> waiters = new ArrayList<>();
            for (String rt : List.of("s1", "s2")) {
                waiters.add(o.to(String.class).named("join-" + rt).runtime(rt).run(() -> {
                    String joined = t.join();
                    return joined + f.get() + f.thenApply(v -> v).join();
                }));
            }
            for (String rt : List.of("s1", "s2")) { // newer than the first waits (maybe)
                callbacks.add(f.thenApply(v -> v + o.to(String.class).named("new-" + rt).runtime(rt).run(() -> rt).join()));
            }
            Thread.sleep(5);
            go.countDown();
            for (SpawningTask<String> waiter : waiters) {
                assertThat(waiter.get(20, TimeUnit.SECONDS)).isEqualTo("ttt");
            }
            for (CompletableFuture<String> callback : callbacks) {
                assertThat(callback.get(20, TimeUnit.SECONDS)).startsWith("ts");
            }
        }
    }
}
