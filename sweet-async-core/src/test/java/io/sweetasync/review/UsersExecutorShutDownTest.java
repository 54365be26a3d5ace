package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.limit.RejectionReason;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.7: users may "wrap their own {@code Executor}"; README: an executor of yours that refuses a task ends it
 * {@code SHUTDOWN} "if it is an {@code ExecutorService} that was shut down". A service the user shuts down may
 * also drop a task it accepted, without throwing: a {@code ThreadPoolExecutor} shut down hands it to its policy,
 * and {@code CallerRunsPolicy} (the usual choice) and the Discard policies discard it; {@code shutdownNow()}
 * hands what was queued back to its caller. Such a task stayed {@code QUEUED} and its waiters hung for ever.
 */
class UsersExecutorShutDownTest {

    private static final Duration HANG = Duration.ofSeconds(10);

    @Test
    void aShutDownExecutorWhosePolicyDiscardsRejectsTheTask() {
        for (RejectedExecutionHandler policy : new RejectedExecutionHandler[] {new ThreadPoolExecutor.CallerRunsPolicy(),
                new ThreadPoolExecutor.DiscardPolicy(), new ThreadPoolExecutor.DiscardOldestPolicy()}) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), policy);
            pool.shutdown();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("users", pool))
                    .build()) {
                SpawningTask<Integer> task = orchestrator.to(Integer.class).named("late").runtime("users").run(() -> 1);
                TaskResult<Integer> result = assertTimeoutPreemptively(HANG, task::result, policy.getClass().getSimpleName());
                assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOfSatisfying(TaskRejectedException.class, rejected -> assertThat(rejected.reason())
                                .isEqualTo(RejectionReason.SHUTDOWN))
                        .hasMessageContaining("late#")
                        .hasMessageContaining("it was shut down and dropped the task"));
            }
        }
    }

    /** shutdown() (not shutdownNow) runs what it has queued: those tasks run, none is rejected. */
    @Test
    void aTaskQueuedOnAnExecutorShutDownGentlyStillRuns() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("users", pool))
                .build()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> first = orchestrator.to(Integer.class).runtime("users").run(() -> {
                running.countDown();
                release.await();
                return 0;
            });
            running.await();
            SpawningTask<Integer> queued = orchestrator.to(Integer.class).runtime("users").run(() -> 1);
            pool.shutdown();
            release.countDown();
            assertThat(assertTimeoutPreemptively(HANG, first::join)).isZero();
            assertThat(assertTimeoutPreemptively(HANG, queued::join)).isEqualTo(1);
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskQueuedOnAnExecutorShutDownNowEnds() throws Exception {
        queuedTaskEndsRejectedAfterShutdownNow(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>()));
    }

    /**
     * A service of yours whose {@code awaitTermination} throws (one that does not support it, or fails) still has the
     * tasks it dropped rejected once it has terminated: the watch asks {@code isTerminated()} instead. Its thread died
     * with the exception, and the queued task stayed {@code QUEUED} for ever.
     */
    @Test
    void aServiceWhoseAwaitTerminationThrowsStillHasItsDroppedTasksRejected() throws Exception {
        queuedTaskEndsRejectedAfterShutdownNow(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>()) {
            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) {
                throw new UnsupportedOperationException("this service cannot be waited for");
            }
        });
    }

    /** A task queued behind a sleeping one on {@code pool}, which is then shut down now, ends rejected SHUTDOWN. */
    private static void queuedTaskEndsRejectedAfterShutdownNow(ThreadPoolExecutor pool) throws InterruptedException {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("users", pool))
                .build()) {
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<Integer> first = orchestrator.to(Integer.class).named("first").runtime("users").run(() -> {
                running.countDown();
                Thread.sleep(Long.MAX_VALUE);
                return 0;
            });
            running.await();
            SpawningTask<Integer> queued = orchestrator.to(Integer.class).named("queued").runtime("users").run(() -> 1);
            assertThat(pool.shutdownNow()).hasSize(1);
            assertThat(assertTimeoutPreemptively(HANG, first::result).isOk()).isFalse();
            TaskResult<Integer> result = assertTimeoutPreemptively(HANG, queued::result);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOfSatisfying(TaskRejectedException.class, rejected -> assertThat(rejected.reason())
                            .isEqualTo(RejectionReason.SHUTDOWN))
                    .hasMessageContaining("queued#")
                    .hasMessageContaining("'users' (an executor of yours) was shut down before it ran the task"));
        }
    }
}
