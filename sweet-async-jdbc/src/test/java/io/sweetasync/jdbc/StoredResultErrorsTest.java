package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code storedResult} of a durable task that did not complete, read by a later start: found by a new user's trial,
 * its messages repeated themselves ("failed after 1 attempt: IllegalStateException: task boom#1-9 failed after 1
 * attempt: IOException: boom a"; "was cancelled after 1 attempt: task sleep#1-14 was cancelled after 1 attempt:
 * ...") and a timeout said "timed out after PT0S" whatever its timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoredResultErrorsTest {

    @Test
    void aStoredFailureTimeoutOrCancellationReadsAsItHappened() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        CountDownLatch sleeping = new CountDownLatch(1);
        SpawningTask<String> failed;
        SpawningTask<String> timedOut;
        SpawningTask<String> cancelled;
        try (TaskOrchestrator first = builder(store, sleeping).build()) {
            failed = first.to(String.class).durable("boom", "a").run();
            timedOut = first.to(String.class).timeout(Duration.ofMillis(300)).durable("sleep", "b").run();
            cancelled = first.to(String.class).durable("sleep", "c").run();
            assertThat(sleeping.await(30, TimeUnit.SECONDS)).isTrue();
            cancelled.cancel();
            for (SpawningTask<String> task : java.util.List.of(failed, timedOut, cancelled)) {
                task.result();
            }
            first.flushStore();
        }
        try (TaskOrchestrator second = builder(store, new CountDownLatch(2)).build()) {
            AsyncTaskException boom = error(second, failed);
            assertThat(boom).isInstanceOf(TaskFailedException.class).hasMessageContaining("IOException: boom a");
            assertThat(once(boom.getMessage(), "failed after")).isTrue();

            AsyncTaskException late = error(second, timedOut);
            assertThat(late).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("PT0.3S");

            AsyncTaskException stopped = error(second, cancelled);
            assertThat(stopped).isInstanceOf(TaskCancelledException.class);
            assertThat(once(stopped.getMessage(), "was cancelled")).as(stopped.getMessage()).isTrue();
        }
    }

    private static AsyncTaskException error(TaskOrchestrator orchestrator, SpawningTask<String> task) {
        await().atMost(Duration.ofSeconds(20)).until(() -> orchestrator.storedResult(task.id(), String.class).isPresent());
        TaskResult<String> result = orchestrator.storedResult(task.id(), String.class).orElseThrow();
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        return ((TaskResult.Err<String>) result).error();
    }

    private static boolean once(String text, String part) {
        return text.indexOf(part) >= 0 && text.indexOf(part) == text.lastIndexOf(part);
    }

    private static TaskOrchestrator.Builder builder(JdbcTaskStore store, CountDownLatch sleeping) {
        return TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50))
                .handler("boom", String.class, message -> {
                    throw new IOException("boom " + message);
                })
                .handler("sleep", String.class, any -> {
                    sleeping.countDown();
                    Thread.sleep(60_000);
                    return any;
                });
    }
}
