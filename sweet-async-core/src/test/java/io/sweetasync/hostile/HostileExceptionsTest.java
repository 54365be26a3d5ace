package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A body's exception is user code too: its getMessage()/toString() may throw (a lazily built message
 * reading a null field). The engine reads it to build the task's failure and its message (SPEC 1.5): that
 * must not abort finishing the task, or its waiters hang for ever and its parent with them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileExceptionsTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** An exception whose message cannot be read. */
    static final class UnreadableException extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("the message of this exception cannot be built");
        }

        @Override
        public String getLocalizedMessage() {
            return getMessage();
        }
    }

    @Test
    void aBodyThrowingAnExceptionWhoseMessageThrowsStillEndsFailed() {
        for (String runtime : List.of("virtual", "platform", "single")) {
            SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime).run(() -> {
                throw new UnreadableException();
            });
            TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class,
                    err -> assertThat(err.error()).isInstanceOf(TaskFailedException.class)
                            .hasCauseInstanceOf(UnreadableException.class));
        }
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void aRetriedChildWhoseExceptionMessageThrowsReleasesItsParent() {
        String value = assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class).await(() -> {
            SpawningTask<String> child = io.sweetasync.TaskContext.current().orElseThrow().child(String.class)
                    .retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
                        throw new UnreadableException();
                    });
            return child.result().isOk() ? "ok" : "child failed";
        }));
        assertThat(value).isEqualTo("child failed");
    }

    @Test
    void aFallbackReceivesTheFailureOfAnExceptionWhoseMessageThrows() {
        String value = assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class)
                .fallback(error -> "fallback for " + error.getCause().getClass().getSimpleName())
                .await(() -> {
                    throw new UnreadableException();
                }));
        assertThat(value).isEqualTo("fallback for UnreadableException");
    }

    @Test
    void aFallbackThrowingAnExceptionWhoseMessageThrowsFailsTheTask() {
        SpawningTask<String> task = orchestrator.to(String.class).fallback(error -> {
            throw new UnreadableException();
        }).run(() -> {
            throw new IllegalArgumentException("body failed");
        });
        TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class,
                err -> assertThat(err.error()).isInstanceOf(TaskFailedException.class)
                        .hasCauseInstanceOf(UnreadableException.class));
        assertThat(orchestrator.liveCount()).isZero();
    }

    /**
     * SPEC 1.5: the message names the cause ("IOException: connection reset"), TaskInfo the failure's type. An
     * exception of an anonymous class has an empty simple name: the message read "failed after 1 attempt: :
     * reset" and the failure's type was "".
     */
    @Test
    void anExceptionOfAnAnonymousClassIsNamedInTheMessageAndTheFailure() {
        SpawningTask<String> task = orchestrator.to(String.class).named("anonymous").run(() -> {
            throw new IllegalStateException("reset") {
            };
        });
        TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getMessage())
                .endsWith("failed after 1 attempt: HostileExceptionsTest$1: reset"));
        assertThat(task.info().failure().type()).isEqualTo("HostileExceptionsTest$1");
    }
}
