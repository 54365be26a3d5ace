package io.sweetasync.review12;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every {@code toCompletableFuture()} of a task that has not ended was kept by the task until it ended, also once
 * its caller had completed it ({@code complete}, {@code completeExceptionally}, {@code orTimeout},
 * {@code completeOnTimeout}): a long-running job that clients long-poll with
 * {@code job.toCompletableFuture().orTimeout(30, SECONDS)} kept every poll's future and its
 * {@code TimeoutException} for as long as the job ran. A future its caller completed can never be settled by the
 * task: the task forgets it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12CallerCompletedFuturesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aRunningTaskDoesNotKeepTheFuturesItsCallersCompleted() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).named("long-job").run(() -> {
            finish.await();
            return "done";
        });
        CompletableFuture<String> waiting = job.toCompletableFuture(); // kept: the task settles it
        List<WeakReference<CompletableFuture<String>>> completedByCaller = completeSome(job, 120);
        for (int i = 0; i < 100 && completedByCaller.stream().anyMatch(ref -> ref.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        long kept = completedByCaller.stream().filter(ref -> ref.get() != null).count();
        assertThat(kept).as("futures of the running task that their callers completed, still reachable").isZero();

        finish.countDown();
        assertThat(job.join()).isEqualTo("done");
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo("done");
    }

    private static List<WeakReference<CompletableFuture<String>>> completeSome(SpawningTask<String> job, int count) {
        List<WeakReference<CompletableFuture<String>>> refs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<String> future = job.toCompletableFuture();
            switch (i % 4) {
                case 0 -> future.complete("mine");
                case 1 -> future.completeExceptionally(new IllegalStateException("given up"));
                case 2 -> future.orTimeout(1, TimeUnit.MILLISECONDS);
                default -> future.completeOnTimeout("late", 1, TimeUnit.MILLISECONDS);
            }
            future.handle((value, error) -> null).join(); // done (by its caller) before it is let go
            assertThat(job.isDone()).isFalse();
            refs.add(new WeakReference<>(future));
        }
        return refs;
    }
}
