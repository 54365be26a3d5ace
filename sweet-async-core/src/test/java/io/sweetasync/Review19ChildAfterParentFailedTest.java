package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.hostile.Latches;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1.8 rule 4: when a body fails for good, its unfinished children are cancelled. A child started through the
 * task's context (kept by another thread) after the failure, while the task still waits for its cancelled children
 * to return, is one of its unfinished children too: it is cancelled (or refused), and the failed task does not wait
 * for its whole run. Before, nothing stopped it: a failed parent is no stopped one (its status comes from its body),
 * and only a stop was passed to a child added late; the parent, FAILED, waited for that child's whole run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review19ChildAfterParentFailedTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final Latches latches = new Latches();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    @Test
    void aChildStartedAfterItsParentFailedIsCancelled() throws Exception {
        for (String runtime : List.of("virtual", "platform", "single")) {
            CountDownLatch slowChildStarted = new CountDownLatch(1);
            CountDownLatch slowChildStopped = new CountDownLatch(1);
            CountDownLatch releaseSlowChild = latches.next();
            CountDownLatch never = latches.next();
            CompletableFuture<TaskContext> context = new CompletableFuture<>();
            SpawningTask<String> parent = orchestrator.to(String.class).named("parent").runtime(runtime).run(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                ctx.child(String.class).named("slow").runtime("virtual").run(() -> {
                    slowChildStarted.countDown();
                    try {
                        never.await();
                    }
                    catch (InterruptedException stopped) {
                        slowChildStopped.countDown(); // cancelled as its parent failed: it takes its time to return
                        Latches.awaitIgnoringInterrupts(releaseSlowChild);
                    }
                    return "slow";
                });
                context.complete(ctx);
                slowChildStarted.await(); // its body runs: the failure interrupts it
                throw new IOException("the parent's body fails, no retry");
            });
            TaskContext ctx = context.get(60, TimeUnit.SECONDS);
            assertThat(slowChildStopped.await(60, TimeUnit.SECONDS)).as("the failure cancelled the first child").isTrue();

            // The parent failed for good and waits for its cancelled child: a child started now is also unfinished.
            SpawningTask<String> late = null;
            try {
                late = ctx.child(String.class).named("late").runtime("virtual").run(() -> {
                    never.await(); // returns when interrupted
                    return "late";
                });
            }
            catch (IllegalStateException refused) {
                // refused outright: as good
            }
            releaseSlowChild.countDown();
            TaskResult<String> parentResult = CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS);
            assertThat(parentResult.isOk()).isFalse();
            if (late != null) {
                SpawningTask<String> started = late;
                TaskResult<String> lateResult = CompletableFuture.supplyAsync(started::result).get(30, TimeUnit.SECONDS);
                assertThat(started.status()).as("on %s: a child started after its parent failed", runtime)
                        .isEqualTo(TaskStatus.CANCELLED);
                assertThat(((TaskResult.Err<String>) lateResult).error()).hasMessageContaining("failed");
            }
            assertThat(parent.status()).isEqualTo(TaskStatus.FAILED);
        }
    }

    /**
     * Another thread starts children through the context as the body fails: every child it was not refused is
     * cancelled (each waits until interrupted), whichever side of the failure it came, and the parent ends FAILED.
     */
    @Test
    void childrenStartedAsTheBodyFailsAreAllCancelled() throws Exception {
        CountDownLatch never = latches.next();
        for (int round = 0; round < 300; round++) {
            String runtime = List.of("virtual", "platform", "single").get(round % 3);
            java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
            CompletableFuture<TaskContext> context = new CompletableFuture<>();
            SpawningTask<String> parent = orchestrator.to(String.class).named("parent").runtime(runtime).run(() -> {
                context.complete(TaskContext.current().orElseThrow());
                go.await(30, TimeUnit.SECONDS);
                throw new IOException("fails as children are started");
            });
            TaskContext ctx = context.get(30, TimeUnit.SECONDS);
            List<SpawningTask<String>> started = new java.util.ArrayList<>();
            go.await(30, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < 50; i++) {
                    started.add(ctx.child(String.class).named("c").runtime("virtual").run(() -> {
                        never.await(); // returns only when interrupted
                        return "never";
                    }));
                }
            }
            catch (IllegalStateException refused) {
                // the parent finished: no more children
            }
            TaskResult<String> result = CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS);
            assertThat(result.isOk()).isFalse();
            assertThat(parent.status()).as("round %d", round).isEqualTo(TaskStatus.FAILED);
            for (SpawningTask<String> child : started) {
                assertThat(child.status()).as("round %d: %s", round, child.info()).isEqualTo(TaskStatus.CANCELLED);
            }
        }
    }
}
