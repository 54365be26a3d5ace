package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskResultTest {

    private static AsyncTaskException error() {
        TaskInfo info = new TaskInfo(new TaskId(7), null, "load", "load#7", TaskStatus.FAILED, TaskPriority.NORMAL,
                null, "virtual", Map.of(), null, null, null, 2, List.of(), null,
                TaskMetrics.timesOnly(java.time.Duration.ZERO, java.time.Duration.ZERO), Map.of(), 0, false, List.of());
        return new TaskFailedException(info, new IllegalStateException("boom"));
    }

    @Test
    void okMapsAndFlatMaps() {
        TaskResult<Integer> ok = TaskResult.ok(2);
        assertThat(ok.isOk()).isTrue();
        assertThat(ok.map(n -> n * 10).orElseThrow()).isEqualTo(20);
        assertThat(ok.flatMap(n -> TaskResult.ok("v" + n)).orElseThrow()).isEqualTo("v2");
        assertThat(ok.recover(e -> -1).orElseThrow()).isEqualTo(2);
        assertThat(ok.orElse(5)).isEqualTo(2);
    }

    @Test
    void errPassesThroughMapsAndIsNeverSilentlyDefaulted() {
        AsyncTaskException error = error();
        TaskResult<Integer> err = TaskResult.err(error);
        assertThat(err.isOk()).isFalse();
        assertThat(err.map(n -> n * 10)).isEqualTo(new TaskResult.Err<Integer>(error));
        assertThat(err.flatMap(n -> TaskResult.ok("x"))).isInstanceOf(TaskResult.Err.class);
        assertThatThrownBy(err::orElseThrow).isSameAs(error);
        assertThat(err.orElse(5)).isEqualTo(5);
        assertThat(err.recover(e -> e.task().attempts()).orElseThrow()).isEqualTo(2);
    }

    @Test
    void switchPatternsCoverBothCases() {
        TaskResult<Integer> result = TaskResult.err(error());
        String text = switch (result) {
            case TaskResult.Ok<Integer>(Integer n) -> "got " + n;
            case TaskResult.Err<Integer>(AsyncTaskException e) -> "failed: " + e.getMessage();
        };
        assertThat(text).isEqualTo("failed: task load#7 failed after 2 attempts: IllegalStateException: boom");
    }

    /** A null function is a bug whichever result it meets: it was ignored when not applied (Err.map, Ok.recover). */
    @Test
    void aNullFunctionIsRefusedEvenWhereItWouldNotBeApplied() {
        TaskResult<Integer> ok = TaskResult.ok(2);
        TaskResult<Integer> err = TaskResult.err(error());
        for (TaskResult<Integer> result : List.of(ok, err)) {
            assertThatThrownBy(() -> result.map(null)).isInstanceOf(NullPointerException.class).hasMessage("mapper");
            assertThatThrownBy(() -> result.flatMap(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("mapper");
            assertThatThrownBy(() -> result.recover(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("recovery");
        }
    }
}
