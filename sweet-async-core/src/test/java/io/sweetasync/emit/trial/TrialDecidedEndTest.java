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

    @Test
    void aPipelineThatStoppedOnItsFirstErrorEndsTimedOutKeepingTheErrorWhenADeafReceiverOutlivesItsDeadline() {
        AtomicBoolean release = new AtomicBoolean();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                // the deadline runs from submission: on a loaded machine it can pass before event 1 has failed (then
                // there is no error to keep), so a run whose receiver did not fail well before the deadline (in its
                // first half, leaving the pipeline the second to take the error in) is let go and repeated with a
                // deadline twice as long
                for (Duration timeout = Duration.ofMillis(500); ; timeout = timeout.multipliedBy(2)) {
                    assertThat(timeout).as("a deadline the receivers could not reach").isLessThan(Duration.ofSeconds(30));
                    CountDownLatch deafIn = new CountDownLatch(1);
                    AtomicBoolean fellShort = new AtomicBoolean();
                    java.util.concurrent.atomic.AtomicLong failedAt = new java.util.concurrent.atomic.AtomicLong();
                    long submitted = System.nanoTime();
                    EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("decided")
                            .timeout(timeout)
                            .errorStrategy(ErrorStrategy.stopOnFirst())
                            .sender(emitter -> {
                                emitter.emit(0);
                                deafIn.await();
                                emitter.emit(1);
                            })
                            .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                                if (event.data() == 0) {
                                    deafIn.countDown();
                                    io.sweetasync.Work.ignoringInterruptsUntil(() -> release.get() || fellShort.get());
                                    return;
                                }
                                failedAt.compareAndSet(0, System.nanoTime());
                                throw new IllegalStateException("event 1 fails");
                            })
                            .run();
                    TrialRecorder<java.util.Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
                    task.results().subscribe(recorder);
                    assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
                    long failed = failedAt.get();
                    if (failed == 0 || failed - submitted >= timeout.toNanos() / 2) {
                        fellShort.set(true); // its deaf receiver (if it got event 0) is let go
                        continue;
                    }
                    assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class)
                            .satisfies(timedOut -> assertThat(timedOut.getSuppressed()).anySatisfy(
                                    error -> assertThat(error).hasMessageContaining("event 1 fails")));
                    assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
                    assertThat(recorder.await()).isTrue();
                    assertThat(recorder.error.get()).isInstanceOf(TaskTimeoutException.class);
                    return;
                }
            });
        }
        finally {
            release.set(true);
        }
    }
}
