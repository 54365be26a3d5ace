package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The errors a new user meets first, from the README's promise: "a bad one is refused naming it and its
 * value", and errors "tell the user what happened, to which task, and what to do".
 */
class FirstErrorsTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aMisspelledRuntimeIsNamedWithTheRuntimesThereAre() {
        assertThatThrownBy(() -> orchestrator.to(String.class).runtime("virtaul"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'virtaul'").hasMessageContaining("virtual").hasMessageContaining("platform");
        assertThatThrownBy(() -> orchestrator.emits(String.class).runtime("virtaul"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'virtaul'").hasMessageContaining("virtual");
    }

    @Test
    void aBuilderRunWithoutABodySaysSo() {
        assertThatThrownBy(() -> orchestrator.to(String.class).named("no-body").run(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("work");
    }

    @Test
    void aDurableTaskWithoutAStoreSaysWhatToConfigure() {
        assertThatThrownBy(() -> orchestrator.to(String.class).durable("send-invoice", "x").run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("send-invoice").hasMessageContaining("store");
    }

    @Test
    void badArgumentsNameThemselvesAndTheirValue() {
        assertThatThrownBy(() -> orchestrator.to(String.class).timeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("-1");
        assertThatThrownBy(() -> orchestrator.to(String.class).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(20, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(20, 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> LimiterConfig.defaults().withQueueCapacity(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> orchestrator.to(String.class).named("a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> orchestrator.to(String.class).group(" pricing"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' pricing'");
        assertThatThrownBy(() -> TaskOrchestrator.builder().defaultRuntime("virtaul").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'virtaul'");
    }
}
