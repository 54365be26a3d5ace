package io.sweetasync.round8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue #19 (alloc, 80d98de): a task's dependents and its {@code toCompletableFuture()} futures are kept in one
 * object made by the first of them. A dependent ({@code after}, {@code chain}) registered as its upstream completes
 * runs exactly once; a future made before the completion is settled only after the dependents registered before it
 * were started.
 */
class FollowersRaceTest {

    @Test
    void aDependentRegisteredAsItsUpstreamCompletesRunsExactlyOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(240), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                for (int round = 0; round < 2_000; round++) {
                    CyclicBarrier both = new CyclicBarrier(2);
                    SpawningTask<Integer> upstream = orchestrator.to(Integer.class).run(() -> {
                        both.await();
                        return 1;
                    });
                    AtomicInteger afterRuns = new AtomicInteger();
                    AtomicInteger chainRuns = new AtomicInteger();
                    both.await(); // the upstream's body returns as the dependents are registered
                    SpawningTask<Integer> after = orchestrator.to(Integer.class).after(upstream)
                            .run(afterRuns::incrementAndGet);
                    CompletableFuture<Integer> future = upstream.toCompletableFuture();
                    SpawningTask<Integer> chained = upstream.chain(value -> value + chainRuns.incrementAndGet());
                    assertThat(after.join()).as("round " + round).isEqualTo(1);
                    assertThat(chained.join()).as("round " + round).isEqualTo(2);
                    assertThat(future.join()).isEqualTo(1);
                    assertThat(afterRuns).as("round " + round).hasValue(1);
                    assertThat(chainRuns).as("round " + round).hasValue(1);
                }
            }
        });
    }

    @Test
    void aFutureIsSettledOnlyAfterTheDependentsRegisteredBeforeItStarted() {
        assertTimeoutPreemptively(Duration.ofSeconds(240), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                for (int round = 0; round < 3_000; round++) {
                    CountDownLatch release = new CountDownLatch(1);
                    SpawningTask<Integer> upstream = orchestrator.to(Integer.class).run(() -> {
                        release.await();
                        return 1;
                    });
                    // the future first: the object holding both is made by it, the dependent added after
                    CompletableFuture<Integer> first = upstream.toCompletableFuture();
                    SpawningTask<Integer> after = orchestrator.to(Integer.class).after(upstream).run(() -> 2);
                    CompletableFuture<Integer> second = upstream.toCompletableFuture();
                    List<TaskStatus> seen = new CopyOnWriteArrayList<>();
                    CompletableFuture<Void> firstSeen = first.thenRun(() -> seen.add(after.status()));
                    CompletableFuture<Void> secondSeen = second.thenRun(() -> seen.add(after.status()));
                    release.countDown();
                    firstSeen.join(); // not first.join(): that may return before first's callbacks ran
                    secondSeen.join();
                    after.join();
                    assertThat(seen).as("round " + round).hasSize(2).doesNotContain(TaskStatus.PENDING);
                }
            }
        });
    }
}
