package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskOrchestrator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pipeline's configuration is checked when it is given, with messages naming the argument. */
class EmittingTaskBuilderTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aBlankGroupIsRejected() {
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).group(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group").hasMessageContaining("''");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).group("  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).group(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("group");
    }

    @Test
    void aNullRuntimeIsRejectedNamingTheArgument() {
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).runtime(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("runtime");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).runtime("gpu"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gpu'")
                .hasMessageContaining("virtual");
    }

    @Test
    void aNameTooLongForItsWorkersIsRejectedAtConfiguration() {
        // workers are named after the pipeline ("name.receiver"), and task names have at most 100 characters
        String longest = "p".repeat(EmittingTaskBuilder.MAX_NAME);
        FinalEvent<Object, Object> done = orchestrator.emits(Integer.class).named(longest)
                .sender(emitter -> emitter.emit(1))
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> { })
                .awaitFinalEvent();
        assertThat(done.received()).isEqualTo(1);

        String tooLong = "p".repeat(95);
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).named(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pipeline name")
                .hasMessageContaining(tooLong)
                .hasMessageContaining(EmittingTaskBuilder.MAX_NAME + " characters");
    }

    @Test
    void otherInvalidValuesAreRejectedNamingTheArgumentAndValue() {
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).named(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pipeline name ' '");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).named("a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).bufferSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bufferSize").hasMessageContaining("0");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).timeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }
}
