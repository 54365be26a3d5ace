package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.ReceiverStrategy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Trial (SPEC 2 table, README "How a pipeline ends"): a pipeline that stopped on its first error is not terminal
 * while a worker deaf to the stop's interrupt runs on, so its deadline still decides its end (SPEC 1.2: the timeout
 * bounds the task and its children), as a cancel meanwhile would: {@code TIMED_OUT}, the receiver's error kept as a
 * suppressed exception of the {@code TaskTimeoutException}, so that it is not lost. README says so.
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
    void aPipelineThatStoppedOnItsFirstErrorEndsTimedOutKeepingTheErrorWhenADeafReceiverOutlivesItsDeadline() {
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
                assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class)
                        .satisfies(timedOut -> assertThat(timedOut.getSuppressed()).anySatisfy(
                                error -> assertThat(error).hasMessageContaining("event 1 fails")));
                assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isInstanceOf(TaskTimeoutException.class);
            });
        }
        finally {
            release.set(true);
        }
    }
}
