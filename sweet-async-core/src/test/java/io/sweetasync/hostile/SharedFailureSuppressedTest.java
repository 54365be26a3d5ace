package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cancel deciding the end of a task whose body had failed for good keeps the failure as a suppressed exception
 * of the task's {@link TaskCancelledException}. The failure may be an object the task does not own: one instance
 * thrown by several bodies (a cached exception), or another task's {@link AsyncTaskException} rethrown. Each task
 * still ends (nothing escapes its end), and the shared object is not changed (no suppressed added to it, no cycle).
 * Held when written (a guard).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedFailureSuppressedTest {

    private static final IOException CACHED = new IOException("cached");

    @Test
    void aSharedFailureIsKeptByEveryCancelledTaskAndLeftAsItWas() throws Exception {
        try (TaskOrchestrator own = TaskOrchestrator.builder().build()) {
            SpawningTask<Integer> other = own.to(Integer.class).run(() -> {
                new CountDownLatch(1).await();
                return 0;
            });
            other.cancel();
            AsyncTaskException othersError = ((TaskResult.Err<Integer>) other.result()).error();
            int suppressedBefore = othersError.getSuppressed().length;

            List<Throwable> thrown = List.of(CACHED, CACHED, othersError, othersError);
            List<SpawningTask<Integer>> parents = new ArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            try {
                for (Throwable failure : thrown) {
                    parents.add(failingWhileItsChildReturns(own, release, () -> {
                        throw failure instanceof Exception ex ? ex : new IllegalStateException(failure);
                    }));
                }
                for (SpawningTask<Integer> parent : parents) {
                    assertThat(parent.cancel()).isTrue();
                }
            }
            finally {
                release.countDown();
            }
            for (int i = 0; i < parents.size(); i++) {
                SpawningTask<Integer> parent = parents.get(i);
                Throwable failure = thrown.get(i);
                assertThat(parent.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> {
                    assertThat(err.error()).isInstanceOf(TaskCancelledException.class);
                    assertThat(err.error().getSuppressed()).containsExactly(failure);
                });
                assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
            }
            assertThat(CACHED.getSuppressed()).as("the cached exception, shared by bodies").isEmpty();
            assertThat(othersError.getSuppressed()).as("another task's error").hasSize(suppressedBefore);
        }
    }

    /** A task whose body throws {@code failure} once its child, which returns only on {@code release}, runs. */
    private static SpawningTask<Integer> failingWhileItsChildReturns(TaskOrchestrator own, CountDownLatch release,
            Callable<Integer> failure) throws InterruptedException {
        CountDownLatch childRunning = new CountDownLatch(1);
        // The child is interrupted once the body's failure is recorded (its subtree is cancelled right after): a
        // cancel landing before that is no cancel of a failed body (it decides the end before the body failed).
        CountDownLatch failed = new CountDownLatch(1);
        SpawningTask<Integer> parent = own.to(Integer.class).run(() -> {
            TaskContext.current().orElseThrow().runChild(() -> {
                childRunning.countDown();
                while (true) {
                    try {
                        release.await(); // ignores the cancellation until released, as a slow driver call would
                        return 2;
                    }
                    catch (InterruptedException ex) {
                        failed.countDown(); // again
                    }
                }
            });
            childRunning.await();
            return failure.call();
        });
        failed.await();
        return parent;
    }
}
