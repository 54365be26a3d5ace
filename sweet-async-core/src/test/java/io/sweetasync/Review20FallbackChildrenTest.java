package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.hostile.Latches;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fallback does not keep a failed body's children running. SPEC 1.8 rule 4: "When a body fails for good, its
 * unfinished children are cancelled"; SPEC 1.2: the fallback is the "value used when the task fails for good", and
 * its builder's javadoc: the task's status still says {@code FAILED}, its handle yields the fallback's value. The
 * fallback runs as the task ends, which is after its children ended (SPEC 1.8 rule 2): when the body fails, whether
 * the fallback will give a value is not known yet, and a task whose failure is rescued only in its result is still a
 * failed task. So its unfinished children are cancelled ("its parent ... failed"), and so is a child started after the
 * failure through a context kept by another thread, as without a fallback; the handle then yields the fallback's value.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review20FallbackChildrenTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final Latches latches = new Latches();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    @Test
    void aFailedBodysChildrenAreCancelledThoughAFallbackGivesTheTaskAValue() throws Exception {
        CountDownLatch slowChildStarted = new CountDownLatch(1);
        CountDownLatch slowChildStopped = new CountDownLatch(1);
        CountDownLatch releaseSlowChild = latches.next();
        CountDownLatch never = latches.next();
        CompletableFuture<TaskContext> context = new CompletableFuture<>();
        CompletableFuture<SpawningTask<String>> slow = new CompletableFuture<>();
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").fallback(error -> "rescued")
                .run(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    slow.complete(ctx.child(String.class).named("slow").run(() -> {
                        slowChildStarted.countDown();
                        try {
                            never.await();
                        }
                        catch (InterruptedException stopped) {
                            slowChildStopped.countDown(); // cancelled as its parent failed: it takes its time to return
                            Latches.awaitIgnoringInterrupts(releaseSlowChild);
                        }
                        return "slow";
                    }));
                    context.complete(ctx);
                    slowChildStarted.await();
                    throw new IOException("the parent's body fails, no retry");
                });
        TaskContext ctx = context.get(60, TimeUnit.SECONDS);
        assertThat(slowChildStopped.await(60, TimeUnit.SECONDS)).as("the failure cancelled the running child").isTrue();

        SpawningTask<String> late = null;
        try {
            late = ctx.child(String.class).named("late").run(() -> {
                never.await(); // returns when interrupted
                return "late";
            });
        }
        catch (IllegalStateException refused) {
            // refused outright: as good
        }
        releaseSlowChild.countDown();

        TaskResult<String> parentResult = CompletableFuture.supplyAsync(parent::result).get(30, TimeUnit.SECONDS);
        assertThat(parentResult).isEqualTo(TaskResult.ok("rescued"));
        assertThat(parent.status()).as("the status still says what happened").isEqualTo(TaskStatus.FAILED);
        SpawningTask<String> first = slow.get(30, TimeUnit.SECONDS);
        assertThat(first.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(((TaskResult.Err<String>) first.result()).error()).hasMessageContaining("its parent")
                .hasMessageContaining("failed");
        if (late != null) {
            assertThat(late.status()).as("a child started after the failure").isEqualTo(TaskStatus.CANCELLED);
            assertThat(((TaskResult.Err<String>) late.result()).error()).hasMessageContaining("failed");
        }
    }
}
