package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue #19: a task's first follower races its completion ({@link TaskOutcome#completeAndRunFollowers}). Here the
 * first follower is the own wake of a {@code SINGLE} runtime's thread that joins the task as it ends, and a future
 * and a dependent come right after: the join returns, the future's callback and the dependent run once each.
 */
class FollowersRaceOnSingleTest {

    @Test
    void anOwnWakeAsFirstFollowerRacingTheCompletionIsNeverLost() {
        assertTimeoutPreemptively(Duration.ofSeconds(240), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("one"))
                    .build()) {
                for (int round = 0; round < 2_000; round++) {
                    CyclicBarrier both = new CyclicBarrier(2);
                    SpawningTask<Integer> upstream = orchestrator.to(Integer.class).run(() -> {
                        both.await();
                        return 1;
                    });
                    AtomicInteger callbacks = new AtomicInteger();
                    AtomicInteger afterRuns = new AtomicInteger();
                    SpawningTask<Integer> joiner = orchestrator.to(Integer.class).runtime("one").run(() -> {
                        both.await(); // the upstream's body returns as this thread begins to wait for it
                        int value = upstream.join();
                        upstream.toCompletableFuture().thenRun(callbacks::incrementAndGet);
                        return value;
                    });
                    SpawningTask<Integer> after = orchestrator.to(Integer.class).after(upstream)
                            .run(afterRuns::incrementAndGet);
                    CompletableFuture<Integer> future = upstream.toCompletableFuture();
                    assertThat(joiner.join()).as("round " + round).isEqualTo(1);
                    assertThat(after.join()).as("round " + round).isEqualTo(1);
                    assertThat(future.join()).as("round " + round).isEqualTo(1);
                    assertThat(callbacks).as("round " + round).hasValue(1);
                    assertThat(afterRuns).as("round " + round).hasValue(1);
                }
            }
        });
    }
}
