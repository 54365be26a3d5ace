package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Probes of the {@code single} runtime's promise, shared by the tests that could break it. */
final class SingleRuntime {

    private SingleRuntime() {
    }

    /**
     * Asserts that the orchestrator's {@code single} runtime runs one body at a time: a first body waits up to a
     * second for a second one to start, which it must not (the wait times out), then the second runs.
     */
    static void assertRunsOneBodyAtATime(TaskOrchestrator orchestrator, Duration hang) {
        CountDownLatch secondStarted = new CountDownLatch(1);
        SpawningTask<Boolean> first = orchestrator.to(Boolean.class).runtime("single")
                .run(() -> secondStarted.await(1, TimeUnit.SECONDS));
        SpawningTask<Boolean> second = orchestrator.to(Boolean.class).runtime("single").run(() -> {
            secondStarted.countDown();
            return true;
        });
        assertThat(assertTimeoutPreemptively(hang, first::join)).as("the second body ran during the first")
                .isFalse();
        assertThat(assertTimeoutPreemptively(hang, second::join)).isTrue();
    }
}
