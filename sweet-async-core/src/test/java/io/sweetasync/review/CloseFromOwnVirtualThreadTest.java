package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.hostile.LogLines;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} called by a task's own code on a {@code VIRTUAL} runtime (its fallback, an {@code onFinished}
 * listener: code the close's sweep does not interrupt) waited 10 s for its own thread, which cannot end while it
 * waits, then warned that the runtime "did not stop". A {@code PLATFORM}/{@code SINGLE} runtime skips the calling
 * thread; now a virtual one does too.
 */
class CloseFromOwnVirtualThreadTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final String RUNTIME = "own-virtual";

    private LogLines log;
    private List<String> warnings;

    @BeforeEach
    void capture() {
        log = LogLines.capture(TaskOrchestrator.class.getName());
        warnings = log.formatted();
    }

    @AfterEach
    void release() {
        log.close();
    }

    @Test
    void aFallbackClosingItsOrchestratorDoesNotWaitForItsOwnThread() {
        TaskOrchestrator orchestrator = orchestrator();
        TaskResult<String> result = assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class)
                .runtime(RUNTIME).fallback(error -> {
                    orchestrator.close();
                    return "closed";
                })
                .awaitResult(() -> {
                    throw new IOException("fails");
                }, Function.identity()));
        assertThat(result.orElseThrow()).isEqualTo("closed");
        assertThat(warnings).noneMatch(line -> line.contains("runtime " + RUNTIME + " did not stop"));
    }

    @Test
    void aListenerClosingItsOrchestratorDoesNotWaitForItsOwnThread() {
        TaskOrchestrator orchestrator = orchestrator();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                orchestrator.close();
            }
        });
        assertThat(assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class).runtime(RUNTIME)
                .await(() -> "done"))).isEqualTo("done");
        assertThat(warnings).noneMatch(line -> line.contains("runtime " + RUNTIME + " did not stop"));
    }

    private static TaskOrchestrator orchestrator() {
        return TaskOrchestrator.builder().runtime(TaskRuntime.virtual(RUNTIME)).build();
    }
}
