package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.RejectionReason;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** README: executors that drop tasks once shut down, a runaway's fallback, an interrupt a listener leaves. */
@Timeout(120)
class Review15ReadmeEndsTest {

    private static RejectionReason reasonOf(TaskResult<?> result) {
        assertThat(result.isOk()).isFalse();
        return ((TaskRejectedException) ((TaskResult.Err<?>) result).error()).reason();
    }

    // "A shut-down ExecutorService that drops a task without throwing ends it SHUTDOWN too: at once when its
    // CallerRunsPolicy or a Discard policy discards a task handed to it after shutdown()"
    @ParameterizedTest
    @ValueSource(strings = {"caller-runs", "discard", "discard-oldest"})
    void aShutDownExecutorThatDiscardsEndsTheTaskShutdown(String policy) {
        RejectedExecutionHandler handler = switch (policy) {
            case "caller-runs" -> new ThreadPoolExecutor.CallerRunsPolicy();
            case "discard" -> new ThreadPoolExecutor.DiscardPolicy();
            default -> new ThreadPoolExecutor.DiscardOldestPolicy();
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), handler);
        pool.shutdown();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("legacy", pool))
                .build()) {
            assertThat(reasonOf(orchestrator.to(String.class).runtime("legacy").run(() -> "ran").result()))
                    .isEqualTo(RejectionReason.SHUTDOWN);
        }
    }

    // "and once it has terminated for tasks it had queued and shutdownNow() handed back to you"
    @Test
    void aTaskQueuedOnAnExecutorShutDownNowEndsShutdownOnceItTerminated() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("legacy", pool))
                .build()) {
            CountDownLatch started = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).named("busy").runtime("legacy").run(() -> {
                started.countDown();
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                return "never";
            });
            started.await();
            SpawningTask<String> queued = orchestrator.to(String.class).named("queued").runtime("legacy")
                    .run(() -> "ran");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pool.getQueue().isEmpty()) {
                assertThat(System.nanoTime()).isLessThan(end);
                Thread.sleep(5);
            }
            assertThat(pool.shutdownNow()).hasSize(1);
            busy.result();
            assertThat(reasonOf(queued.result())).isEqualTo(RejectionReason.SHUTDOWN);
        } finally {
            pool.shutdownNow();
        }
    }

    // "The deadline bounds the body, not the user code that runs as the task ends: its fallback and listeners'
    // onFinished run before the waiters are released (after a runaway, on the deadline's own thread)"
    @Test
    void aRunawaysWaitersGetTheFallbacksValueWhileTheBodyRunsOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            Thread[] bodyThread = new Thread[1];
            Thread[] fallbackThread = new Thread[1];
            SpawningTask<String> task = orchestrator.to(String.class).named("runaway").timeout(Duration.ofMillis(200))
                    .fallback(e -> {
                        fallbackThread[0] = Thread.currentThread();
                        return "fallback";
                    }).run(() -> {
                        bodyThread[0] = Thread.currentThread();
                        while (release.getCount() > 0) {
                            try {
                                release.await();
                            } catch (InterruptedException ignored) {
                                // a deaf body
                            }
                        }
                        return "body";
                    });
            assertThat(task.join()).isEqualTo("fallback");
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(task.info().runaway()).isTrue();
            assertThat(fallbackThread[0]).isNotNull().isNotSameAs(bodyThread[0]);
            release.countDown();
        } finally {
            release.countDown();
        }
    }

    // "an interrupt a listener ... leaves on a body's thread ... is cleared unless that body's task was stopped, so it
    // cannot fail the body either"
    @Test
    void anInterruptAListenerLeavesOnTheBodysThreadIsCleared() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            orchestrator.addListener(new TaskListener() {
                @Override
                public void onStarted(TaskInfo task) {
                    Thread.currentThread().interrupt();
                }
            });
            String value = orchestrator.to(String.class).named("sleeper").await(() -> {
                boolean interrupted = Thread.currentThread().isInterrupted();
                Thread.sleep(1);
                return "interrupted " + interrupted;
            });
            assertThat(value).isEqualTo("interrupted false");
        }
    }
}
