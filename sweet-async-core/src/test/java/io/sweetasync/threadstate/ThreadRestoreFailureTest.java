package io.sweetasync.threadstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The restore of a body's thread state ({@code Carrier.restoreThread}, in the finally that leaves the body) may
 * itself fail; the attempt then fails with that failure, and must still end its task. It failed with the very
 * {@link Throwable} the body threw: the JVM throws one shared {@link OutOfMemoryError} instance, again and again,
 * once its few preallocated ones (with a stack trace) are used up ({@code -XX:PreallocatedOutOfMemoryErrorCount}),
 * so a body that ran out of memory and a restore that still finds none fail with the same object. Recording it
 * as suppressed by itself threw {@code IllegalArgumentException: Self-suppression not permitted} out of the
 * finally: the thread never left the body, the attempt never ended, and the task stayed {@code RUNNING} for ever
 * (its waiters with it). Here a user's executor's thread fails the restore as such a JVM would: its
 * {@code setContextClassLoader} (the one restore step a thread class may override) throws that shared error.
 *
 * <p>The same restore after user code the engine runs outside a body ({@code ThreadState.restoreAfterGuest}: a
 * fallback, a listener) is logged, never thrown: the fallback's value (or its own error) and the task's end stand.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThreadRestoreFailureTest {

    /** As the JVM's heap {@code OutOfMemoryError} once the preallocated ones are used: one instance, every time. */
    private static final OutOfMemoryError SHARED = new OutOfMemoryError("Java heap space");

    /** A loader no thread has unless a body gives it one. */
    private static final ClassLoader FOREIGN = new ClassLoader(null) {
    };

    /** A thread whose memory runs out once {@link #exhausted}: setting its context class loader throws then. */
    static final class Exhaustible extends Thread {
        volatile boolean exhausted;

        Exhaustible(Runnable work) {
            super(work, "exhaustible");
        }

        @Override
        public void setContextClassLoader(ClassLoader loader) {
            if (exhausted) {
                throw SHARED;
            }
            super.setContextClassLoader(loader);
        }
    }

    private final ExecutorService users = Executors.newSingleThreadExecutor(Exhaustible::new);
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor("users", users))
            .build();

    @AfterEach
    void close() {
        users.shutdownNow();
        // bounded: before the fix the task never ended, and close() waits for live tasks a while
        assertTimeoutPreemptively(Duration.ofSeconds(45), orchestrator::close);
    }

    @Test
    void aRestoreFailingWithTheBodysOwnErrorStillEndsTheTask() {
        SpawningTask<String> task = orchestrator.to(String.class).runtime("users").named("out-of-memory").run(() -> {
            Exhaustible thread = (Exhaustible) Thread.currentThread();
            thread.setContextClassLoader(FOREIGN); // the restore has to set it back
            thread.exhausted = true;
            throw SHARED;
        });

        TaskResult<String> result = assertTimeoutPreemptively(Duration.ofSeconds(30), task::result,
                "the task never ended: the restore's failure escaped the attempt");

        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<String>) result).error()).hasCauseReference(SHARED);
    }

    @Test
    void aRestoreFailingAfterABodyThatReturnedFailsTheAttemptWithIt() {
        SpawningTask<String> task = orchestrator.to(String.class).runtime("users").named("returned").run(() -> {
            Exhaustible thread = (Exhaustible) Thread.currentThread();
            thread.setContextClassLoader(FOREIGN);
            thread.exhausted = true;
            return "value";
        });

        TaskResult<String> result = assertTimeoutPreemptively(Duration.ofSeconds(30), task::result);

        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<String>) result).error()).hasCauseReference(SHARED);
    }

    /** One step of the restore failing does not leave the others undone: the priority is given back all the same. */
    @Test
    void aFailingStepOfTheRestoreLeavesTheOtherStepsDone() {
        int before = orchestrator.to(Integer.class).runtime("users").named("probe")
                .run(() -> Thread.currentThread().getPriority()).join();
        int changed = before == Thread.MIN_PRIORITY ? Thread.MAX_PRIORITY : Thread.MIN_PRIORITY;
        SpawningTask<String> task = orchestrator.to(String.class).runtime("users").named("both").run(() -> {
            Exhaustible thread = (Exhaustible) Thread.currentThread();
            thread.setContextClassLoader(FOREIGN);
            thread.setPriority(changed);
            thread.exhausted = true;
            return "value";
        });
        assertTimeoutPreemptively(Duration.ofSeconds(30), task::result);
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);

        int after = orchestrator.to(Integer.class).runtime("users").named("probe")
                .run(() -> Thread.currentThread().getPriority()).join();
        assertThat(after).as("the priority, restored after the class loader's restore failed").isEqualTo(before);
    }

    /** A thread of {@link #users} whose next setContextClassLoader throws: the code changing it then breaks it. */
    private static void changeLoaderAndExhaust() {
        Exhaustible thread = (Exhaustible) Thread.currentThread();
        thread.setContextClassLoader(FOREIGN); // the restore after the guest has to set it back
        thread.exhausted = true;
    }

    @Test
    void aRestoreFailingAfterTheFallbackKeepsItsValue() {
        SpawningTask<String> task = orchestrator.to(String.class).runtime("users").named("fallback-returned")
                .fallback(e -> {
                    changeLoaderAndExhaust();
                    return "fallback value";
                })
                .run(() -> {
                    throw new IllegalStateException("body failed");
                });

        TaskResult<String> result = assertTimeoutPreemptively(Duration.ofSeconds(30), task::result);

        assertThat(result).isEqualTo(TaskResult.ok("fallback value"));
    }

    @Test
    void aRestoreFailingWithTheFallbacksOwnErrorFailsTheTaskWithThatError() {
        SpawningTask<String> task = orchestrator.to(String.class).runtime("users").named("fallback-threw")
                .fallback(e -> {
                    changeLoaderAndExhaust();
                    throw SHARED;
                })
                .run(() -> {
                    throw new IllegalStateException("body failed");
                });

        TaskResult<String> result = assertTimeoutPreemptively(Duration.ofSeconds(30), task::result,
                "the task never ended: the restore's failure escaped the fallback's bracket");

        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<String>) result).error()).hasCauseReference(SHARED);
    }

    @Test
    void aRestoreFailingAfterAListenerThatThrewLeavesTheTaskItsValue() {
        TaskListener listener = new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("listened")) {
                    changeLoaderAndExhaust();
                    throw SHARED;
                }
            }
        };
        ExecutorService own = Executors.newSingleThreadExecutor(Exhaustible::new);
        TaskOrchestrator withListener = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("users", own))
                .listener(listener)
                .build();
        try {
            SpawningTask<String> task = withListener.to(String.class).runtime("users").named("listened")
                    .run(() -> "value");

            TaskResult<String> result = assertTimeoutPreemptively(Duration.ofSeconds(30), task::result,
                    "the task never ended: the restore's failure escaped the listener's bracket");

            assertThat(result).isEqualTo(TaskResult.ok("value"));
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        }
        finally {
            own.shutdownNow();
            assertTimeoutPreemptively(Duration.ofSeconds(45), withListener::close);
        }
    }
}
