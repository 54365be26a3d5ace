package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.ContextPropagator;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CONVENTIONS 9 and {@link ContextPropagator}'s javadoc: "a failing propagator is logged and skipped, never
 * breaking the task". The existing tests break {@code capture}; here every hook breaks in turn, and
 * {@link ContextPropagator.Captured#around} also breaks its own contract ("must call {@code body} exactly
 * once"): the body still runs exactly once and the task completes with its value.
 */
class BrokenPropagatorTest {

    enum Breakage { CAPTURE, RESTORE, CLOSE, AROUND_BEFORE_BODY, AROUND_SKIPS_BODY, AROUND_CALLS_BODY_TWICE,
        AROUND_AFTER_BODY, AROUND_ERROR, FINISHED }

    private static ContextPropagator broken(Breakage how) {
        return task -> {
            if (how == Breakage.CAPTURE) {
                throw new IllegalStateException("capture broke");
            }
            return new ContextPropagator.Captured() {
                @Override
                public ContextPropagator.Scope restore() {
                    if (how == Breakage.RESTORE) {
                        throw new IllegalStateException("restore broke");
                    }
                    return () -> {
                        if (how == Breakage.CLOSE) {
                            throw new IllegalStateException("close broke");
                        }
                    };
                }

                @Override
                public <V> V around(Callable<V> body) throws Exception {
                    return switch (how) {
                        case AROUND_BEFORE_BODY -> throw new IllegalStateException("around broke");
                        case AROUND_SKIPS_BODY -> null;
                        case AROUND_CALLS_BODY_TWICE -> {
                            body.call();
                            yield body.call();
                        }
                        case AROUND_AFTER_BODY -> {
                            body.call();
                            throw new IllegalStateException("around broke after the body");
                        }
                        case AROUND_ERROR -> throw new StackOverflowError("around overflowed");
                        default -> ContextPropagator.Captured.super.around(body);
                    };
                }

                @Override
                public void finished(TaskInfo finished) {
                    if (how == Breakage.FINISHED) {
                        throw new IllegalStateException("finished broke");
                    }
                }
            };
        };
    }

    @ParameterizedTest
    @EnumSource(Breakage.class)
    void theBodyRunsOnceAndTheTaskCompletesWhateverThePropagatorDoes(Breakage how) {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().contextPropagator(broken(how)).build()) {
            AtomicInteger runs = new AtomicInteger();
            SpawningTask<Integer> task = orchestrator.to(Integer.class).run(runs::incrementAndGet);
            TaskResult<Integer> result = assertTimeoutPreemptively(Duration.ofSeconds(10), task::result);
            assertThat(result).isEqualTo(TaskResult.ok(1));
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(runs).hasValue(1);
        }
    }
}
