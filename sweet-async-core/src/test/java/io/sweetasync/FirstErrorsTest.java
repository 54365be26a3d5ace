package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The errors a new user meets first that ReadmeClaimsTest does not cover, from the README's promise: "a bad one
 * is refused naming it and its value", and errors "tell the user what happened, to which task, and what to do".
 */
class FirstErrorsTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aMisspelledPipelineRuntimeIsNamedWithTheRuntimesThereAre() {
        assertThatThrownBy(() -> orchestrator.emits(String.class).runtime("virtaul"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'virtaul'").hasMessageContaining("virtual");
    }

    @Test
    void aDurableTaskWithoutAStoreSaysWhatToConfigure() {
        assertThatThrownBy(() -> orchestrator.to(String.class).durable("send-invoice", "x").run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("send-invoice").hasMessageContaining("store");
    }

    @Test
    void aZeroTimeoutALimitBelowOneAndAMisspelledDefaultRuntimeNameTheValue() {
        assertThatThrownBy(() -> orchestrator.to(String.class).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(20, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLimit 0");
        assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(20, 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLimit -1");
        assertThatThrownBy(() -> TaskOrchestrator.builder().defaultRuntime("virtaul").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'virtaul'");
    }
}
