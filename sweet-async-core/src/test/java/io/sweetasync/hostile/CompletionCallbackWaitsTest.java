package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1.7: "as long as the waits form no cycle, everything finishes". A callback on a task's
 * {@code toCompletableFuture()} runs once the task has its value; a task {@code after(...)} it, or
 * {@code chain}ed on it, needs only that value. Before the fix the callback, registered after those
 * dependents, ran on the completing thread before they were told (a completion runs its callbacks newest
 * first): a callback waiting for one of them waited for ever, on every runtime.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompletionCallbackWaitsTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final Latches latches = new Latches();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    @Test
    void aCompletionCallbackMayWaitForTheTasksThatStartAfterItsTask() {
        for (String runtime : List.of("virtual", "platform", "single")) {
            CountDownLatch release = latches.next();
            SpawningTask<String> first = orchestrator.to(String.class).runtime(runtime).run(() -> {
                release.await();
                return "a";
            });
            SpawningTask<String> after = orchestrator.to(String.class).runtime(runtime).after(first).run(() -> "b");
            SpawningTask<String> chained = first.chain(value -> value + "c");
            CompletableFuture<String> seen = first.toCompletableFuture()
                    .thenApply(value -> value + after.join() + chained.join());
            release.countDown();
            assertThat(assertTimeoutPreemptively(HANG, () -> seen.get())).as(runtime).isEqualTo("abac");
        }
    }

    /** The same when the task ends as its upstream did, on a thread already passing an end down a chain. */
    @Test
    void aCompletionCallbackOfAPassedDownFailureMayWaitForTheNextLink() {
        CountDownLatch release = latches.next();
        SpawningTask<String> first = orchestrator.to(String.class).run(() -> {
            release.await();
            throw new IllegalStateException("first failed");
        });
        SpawningTask<String> second = first.chain(value -> value + "!");
        SpawningTask<String> third = second.chain(value -> value + "?");
        CompletableFuture<Boolean> seen = second.toCompletableFuture().handle((value, error) -> third.result().isOk());
        release.countDown();
        assertThat(assertTimeoutPreemptively(HANG, () -> seen.get())).isFalse();
        assertThat(third.result()).isInstanceOf(TaskResult.Err.class);
    }

    /**
     * A child's completion callbacks run on the thread that ends it, before it leaves its parent: a callback
     * waiting for the parent waited for ever (on a pooled runtime, where the child ends on its own thread),
     * and one calling shutdown(grace) waited the whole grace for the tree. Now the wait is refused, as a
     * fallback's or listener's is, and shutdown waits only for the other trees.
     */
    @Test
    void aChildsCompletionCallbackWaitingForItsParentIsRefusedAndItsShutdownDoesNotWaitForTheTree() {
        CompletableFuture<SpawningTask<String>> parent = new CompletableFuture<>();
        CompletableFuture<Object> waited = new CompletableFuture<>();
        CompletableFuture<Boolean> shutDown = new CompletableFuture<>();
        SpawningTask<String> root = orchestrator.to(String.class).runtime("single").named("parent").run(() -> {
            SpawningTask<String> child = io.sweetasync.TaskContext.current().orElseThrow().child(String.class)
                    .named("child").run(() -> {
                        parent.join();
                        return "c";
                    });
            child.toCompletableFuture().thenRun(() -> {
                try {
                    waited.complete(parent.join().result());
                }
                catch (IllegalStateException refused) {
                    waited.complete(refused);
                }
                shutDown.complete(orchestrator.shutdown(HANG.multipliedBy(1000)));
            });
            return "p";
        });
        parent.complete(root);
        assertThat(assertTimeoutPreemptively(HANG, root::join)).isEqualTo("p");
        assertThat(waited.join()).isInstanceOfSatisfying(IllegalStateException.class, refused -> assertThat(refused)
                .hasMessageContaining("a completion callback of task child#").hasMessageContaining("its ancestor"));
        assertThat(shutDown.join()).as("nothing else was running").isTrue();
    }
}
