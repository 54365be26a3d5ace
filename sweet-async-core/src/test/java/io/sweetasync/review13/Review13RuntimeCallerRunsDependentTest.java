package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task that starts only {@code after} another (or {@code chain}s on it), on a runtime of a caller-runs executor
 * ({@code TaskRuntime.executor("direct", Runnable::run)}, which README supports: "a caller-runs executor: its
 * caller's" thread). Found: the dependency's end started it, and the executor ran its whole body there, inside that
 * end, which settles the dependency's {@code toCompletableFuture()} futures and leaves its parent only after its
 * dependents' actions. So the dependency's future waiters waited for the dependent's body, a dependent body waiting
 * for its dependency's future (made before it ended) never ended (its {@code get(10 s)} timed out: the task FAILED
 * with TimeoutException; a join hung), and one waiting for its dependency's parent never ended either: waits that
 * form no cycle (SPEC 1.7). Such a dependent is now handed to its executor from a thread of its own, as a task whose
 * group permit is handed over already was.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13RuntimeCallerRunsDependentTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aDependentWaitingForItsDependencysFutureEnds() {
        for (int round = 0; round < 20; round++) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<Integer> x = orchestrator.to(Integer.class).named("x").run(() -> {
                go.await();
                return 1;
            });
            CompletableFuture<Integer> fx = x.toCompletableFuture();
            SpawningTask<Integer> d = orchestrator.to(Integer.class).named("d").runtime("direct").after(x)
                    .run(() -> fx.get(10, TimeUnit.SECONDS) + 1);
            go.countDown();
            assertThat(d.result().orElseThrow()).isEqualTo(2);
        }
    }

    /** A chain runs on its upstream's runtime: here one whose pool is saturated after its first task (caller runs). */
    @Test
    void aChainWaitingForItsUpstreamsFutureEnds() {
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean();
        try (TaskOrchestrator own = TaskOrchestrator.builder().runtime(TaskRuntime.executor("saturated", command -> {
            if (first.compareAndSet(false, true)) {
                Thread.ofPlatform().start(command);
            }
            else {
                command.run(); // CallerRunsPolicy once the pool is full
            }
        })).build()) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<Integer> up = own.to(Integer.class).named("up").runtime("saturated").run(() -> {
                go.await();
                return 1;
            });
            CompletableFuture<Integer> fu = up.toCompletableFuture();
            SpawningTask<Integer> chained = up.chain(v -> v + fu.join());
            go.countDown();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThat(chained.join()).isEqualTo(2));
        }
    }

    @Test
    void theDependencysFutureWaitersDoNotWaitForTheDependentsBody() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> x = orchestrator.to(Integer.class).named("x").run(() -> {
            go.await();
            return 1;
        });
        CompletableFuture<Integer> fx = x.toCompletableFuture();
        SpawningTask<Integer> d = orchestrator.to(Integer.class).named("d").runtime("direct").after(x).run(() -> {
            release.await();
            return 2;
        });
        go.countDown();
        try {
            assertThat(fx.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        finally {
            release.countDown();
        }
        assertThat(d.join()).isEqualTo(2);
    }

    @Test
    void aDependentWaitingForItsDependencysParentEnds() {
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<SpawningTask<Integer>> dependent = new AtomicReference<>();
        CompletableFuture<SpawningTask<Integer>> parentHandle = new CompletableFuture<>();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("parent").run(() -> {
            SpawningTask<Integer> child = TaskContext.current().orElseThrow().child(Integer.class).named("child")
                    .run(() -> {
                        go.await();
                        return 1;
                    });
            dependent.set(orchestrator.to(Integer.class).named("d").runtime("direct").detached().after(child)
                    .run(() -> parentHandle.join().join() + 1));
            return 0;
        });
        parentHandle.complete(parent);
        while (dependent.get() == null) {
            Thread.onSpinWait();
        }
        go.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThat(parent.join()).isZero());
        assertThat(dependent.get().join()).isEqualTo(1);
    }

    @Test
    void aDependentOfTasksThatHadEndedStillRunsOnItsMakersThread() {
        SpawningTask<Integer> x = orchestrator.to(Integer.class).named("x").run(() -> 1);
        x.join();
        Thread maker = Thread.currentThread();
        SpawningTask<Thread> d = orchestrator.to(Thread.class).runtime("direct").after(x).run(Thread::currentThread);
        assertThat(d.join()).isSameAs(maker);
    }
}
