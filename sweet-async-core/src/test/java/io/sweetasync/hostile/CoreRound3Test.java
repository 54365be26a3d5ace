package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review, round 3, of the core engine: each test names the promise it attacks and failed before
 * the fix that came with it. Every test is bounded by a timeout, so a deadlock fails instead of hanging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoreRound3Test {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1)).build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    // ---- toCompletableFuture().cancel() -----------------------------------------------------------

    /**
     * toCompletableFuture(): "cancelling it cancels the task and returns true exactly when the task ends
     * CANCELLED; it then reports isCancelled()". A task cancelled through its handle already ended
     * CANCELLED, so the future's cancel() answers true; but the future had been completed exceptionally
     * (with TaskCancelledException) when the outcome was decided, so it did not report isCancelled():
     * cancel() returned true and isCancelled() false, which java.util.concurrent.Future forbids.
     */
    @Test
    void aFutureWhoseCancelAnswersTrueReportsCancelled() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            new CountDownLatch(1).await();
            return "never";
        });
        CompletableFuture<String> early = task.toCompletableFuture();
        assertThat(task.cancel()).isTrue();
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        CompletableFuture<String> late = task.toCompletableFuture();

        for (CompletableFuture<String> future : new CompletableFuture[] {early, late}) {
            boolean answer = future.cancel(true);
            assertThat(answer).as("cancel() of the future of a CANCELLED task").isTrue();
            assertThat(future.isCancelled()).as("isCancelled() after cancel() answered true").isTrue();
        }
    }

    // ---- deep trees ----------------------------------------------------------------------------------

    /**
     * TaskInfo is Serializable, and "trees are as deep as users make them" (CONVENTIONS 10; equals, hashCode
     * and toString were made iterative for that): Java serialization of a record writes its components
     * recursively, one level of the tree at a time, so writing the history snapshot of a 100,000-level tree
     * (to a session, a cache, a JMX client, another member) threw StackOverflowError.
     */
    @Test
    void aDeepTreeSnapshotSurvivesJavaSerialization() throws Exception {
        TaskOrchestrator deep = TaskOrchestrator.builder().historySize(1).build();
        try {
            SpawningTask<Integer> root = deep.to(Integer.class).run(() -> spawnLevels(1));
            root.join();
            TaskInfo recorded = deep.recent().getFirst();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(recorded);
            }
            Object read;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                read = in.readObject();
            }
            assertThat(read).isEqualTo(recorded);
            TaskInfo node = (TaskInfo) read;
            int levels = 1;
            while (!node.children().isEmpty()) {
                node = node.children().getFirst();
                levels++;
            }
            assertThat(levels).isEqualTo(DEEP);
        }
        finally {
            deep.close();
        }
    }

    private static final int DEEP = 100_000;

    private static int spawnLevels(int level) {
        if (level < DEEP) {
            TaskContext.current().orElseThrow().runChild(() -> spawnLevels(level + 1));
        }
        return level;
    }
}
