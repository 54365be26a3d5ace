package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import java.io.IOException;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            warnings.add(MessageFormat.format(record.getMessage(), record.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger log = Logger.getLogger(TaskOrchestrator.class.getName());

    @BeforeEach
    void capture() {
        log.addHandler(handler);
    }

    @AfterEach
    void release() {
        log.removeHandler(handler);
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
