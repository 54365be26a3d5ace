package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review 19: {@code storedResult} of a durable task that failed reads as its caller heard it. It read "failed after 1
 * attempt: IllegalStateException: IOException: boom", naming an {@code IllegalStateException} the task never threw
 * (the type of the exception that carries the stored text), on the member that ran it and on any other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review19DurStoredFailureTest {

    @ParameterizedTest
    @MethodSource("io.sweetasync.jdbc.Databases#all")
    void aStoredFailureReadsAsItsCallerHeardIt(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        SpawningTask<String> failed;
        String heard;
        try (TaskOrchestrator a = ReviewSupport.durableMember(store, "a").handler("boom", String.class, s -> {
            throw new IOException("boom " + s);
        }).build()) {
            failed = a.to(String.class).durable("boom", "x").run();
            heard = ((TaskResult.Err<String>) failed.result()).error().getMessage();
            assertThat(heard).endsWith("failed after 1 attempt: IOException: boom x");
            assertThat(a.flushStore()).isTrue();
            assertThat(storedMessage(a, failed)).isEqualTo(heard);
        }
        try (TaskOrchestrator b = ReviewSupport.durableMember(store, "b").build()) {
            assertThat(storedMessage(b, failed)).isEqualTo(heard);
        }
    }

    private static String storedMessage(TaskOrchestrator orchestrator, SpawningTask<String> task) {
        TaskResult<String> stored = await().atMost(Duration.ofSeconds(30))
                .until(() -> orchestrator.storedResult(task.id(), String.class).orElse(null), r -> r != null);
        assertThat(stored).isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<String>) stored).error()).isInstanceOf(TaskFailedException.class);
        return ((TaskResult.Err<String>) stored).error().getMessage();
    }
}
