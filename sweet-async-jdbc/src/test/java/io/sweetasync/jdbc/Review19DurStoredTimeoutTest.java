package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review 19: a durable task that timed out under its member's {@code defaultTimeout} (the builder gave it none, so its
 * stored settings name none) is read back by {@code storedResult} as the timeout it ran under, as its caller heard it,
 * not as "timed out after PT0S".
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review19DurStoredTimeoutTest {

    @ParameterizedTest
    @MethodSource("io.sweetasync.jdbc.Databases#all")
    void aTimeoutUnderTheMembersDefaultIsReadBackAsItRan(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = ReviewSupport.durableMember(store, "a")
                .defaultTimeout(Duration.ofMillis(300)).handler("hang", String.class, s -> {
                    never.await();
                    return s;
                }).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).durable("hang", "x").run();
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class)
                    .hasMessageContaining("timed out after PT0.3S");
            assertThat(orchestrator.flushStore()).isTrue();
            TaskResult<String> stored = await().atMost(Duration.ofSeconds(30))
                    .until(() -> orchestrator.storedResult(task.id(), String.class).orElse(null), r -> r != null);
            assertThat(stored).isInstanceOf(TaskResult.Err.class);
            Throwable error = ((TaskResult.Err<String>) stored).error();
            assertThat(error).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("timed out after PT0.3S");
        }
    }
}
