package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What users read of a task's end: stop and rejection messages in their words, not the engine's. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StopMessagesTest {

    /**
     * The rejection reason names the orchestrator's clock, as before the change; the mechanical rename of
     * {@code orchestrator} to {@code settings.orchestrator} leaked into the text ("the settings.orchestrator's
     * clock is closed").
     */
    @Test
    void aRejectionBecauseTheClockIsClosedSaysSoInUsersWords() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(new RefusingClock(() -> new RejectedExecutionException("closed"))).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).named("deadlined")
                    .timeout(Duration.ofSeconds(30)).run(() -> "ran");
            TaskResult<String> result = task.result();
            assertThat(result.isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(task.info().failure().message()).isEqualTo("the orchestrator's clock is closed");
        }
    }
}
