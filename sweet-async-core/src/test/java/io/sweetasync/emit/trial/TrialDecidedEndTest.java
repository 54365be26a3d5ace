package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.ReceiverStrategy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Trial (SPEC 2 table, README "How a pipeline ends"): an end already decided (stopOnFirst saw an error: FAILED,
 * cause the error) must not turn into TIMED_OUT because a worker deaf to the stop's interrupt is still running
 * when the pipeline's deadline passes; cancel() keeps CANCELLED in the same spot.
 */
class TrialDecidedEndTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static void deaf(AtomicBoolean release) {
        while (!release.get()) {
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException ignored) {
                // deaf
            }
        }
    }

    @Test
    void aPipelineThatStoppedOnItsFirstErrorStaysFailedWhenADeafReceiverOutlivesItsDeadline() {
        AtomicBoolean release = new AtomicBoolean();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                CountDownLatch deafIn = new CountDownLatch(1);
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("decided")
                        .timeout(Duration.ofMillis(500))
                        .errorStrategy(ErrorStrategy.stopOnFirst())
                        .sender(emitter -> {
                            emitter.emit(0);
                            deafIn.await();
                            emitter.emit(1);
                        })
                        .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                            if (event.data() == 0) {
                                deafIn.countDown();
                                deaf(release);
                                return;
                            }
                            throw new IllegalStateException("event 1 fails");
                        })
                        .run();
                TrialRecorder<java.util.Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
                task.results().subscribe(recorder);
                // Observed: TaskTimeoutException (status TIMED_OUT), the receiver's error only as a suppressed exception.
                assertThatThrownBy(task::join).isInstanceOf(TaskFailedException.class)
                        .hasRootCauseMessage("event 1 fails");
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isInstanceOf(TaskFailedException.class);
            });
        }
        finally {
            release.set(true);
        }
    }
}
