package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pipeline that stops on its first error fails with what stopped it (the cause), never with what the stop then
 * made a worker throw (a consequence): user code that turns a stop's interrupt into an exception of its own (a
 * driver's "interrupted" {@code SQLException}, an {@code IllegalStateException} wrapping the interrupt) throws it
 * only because the worker is being stopped. Such an error is kept in the errors, but it is no first error: it neither
 * stops the pipeline nor names its failure.
 */
class StopOnFirstCauseTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * The cause is a sender worker cancelled by id (a worker that did not complete: events would be lost); its
     * source answers the stop's interrupt with an {@link IllegalStateException}. Found: that exception, recorded
     * as the sender's error, was the pipeline's first error and its failure ("TaskFailedException/
     * IllegalStateException: source interrupted"), pre-empting the cancelled worker.
     */
    @Test
    void aSendersExceptionAnsweringItsStopDoesNotPreemptTheWorkerThatWasStopped() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch sending = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("cut")
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> {
                        emitter.emit(0);
                        sending.countDown();
                        try {
                            new CountDownLatch(1).await();
                        }
                        catch (InterruptedException ex) {
                            throw new IllegalStateException("source interrupted", ex);
                        }
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            sending.await();
            TaskInfo sender = worker(task, "cut.sender");
            assertThat(orchestrator.cancel(sender.id())).isTrue();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("stopped before its work was done")
                    .hasMessageContaining("cut.sender#" + sender.id())
                    .hasMessageNotContaining("source interrupted"));
        });
    }

    /**
     * The receiver's variant: a receiver worker cancelled by id while it receives, its receiver answering the
     * interrupt with an {@link IOException}. Found: that IOException became the first error (and stopped every
     * other worker), and the pipeline failed with it as if the receive itself had failed.
     */
    @Test
    void aReceiversExceptionAnsweringItsStopDoesNotPreemptTheWorkerThatWasStopped() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiving = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("orphaned")
                    .errorStrategy(ErrorStrategy.stopOnFirst()).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(numbers(1_000)))
                    .receiver((event, collector) -> {
                        receiving.countDown();
                        try {
                            new CountDownLatch(1).await();
                        }
                        catch (InterruptedException ex) {
                            throw new IOException("receive interrupted", ex);
                        }
                    })
                    .run();
            receiving.await();
            TaskInfo receiver = worker(task, "orphaned.receiver");
            assertThat(orchestrator.cancel(receiver.id())).isTrue();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("stopped before its work was done")
                    .hasMessageContaining("orphaned.receiver#" + receiver.id())
                    .hasMessageNotContaining("receive interrupted"));
        });
    }

    /**
     * {@code SpecFromTextTest.awaitFinalEventHandsAStoppedPipelinesFailureToTheHandler} with the sender held where
     * the receiver's error stops it: its source answers the stop with an {@link IllegalStateException}, and the
     * pipeline still fails with the receiver's {@link IOException}, the cause. (The receiver records its error
     * before it stops the other workers, so this held before too; it pins the order.)
     */
    @Test
    void aReceiversErrorStaysTheFailureWhenTheSenderItStoppedThrowsOnItsWayOut() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch senderWaiting = new CountDownLatch(1);
            CountDownLatch senderStopped = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> {
                        emitter.emit(1);
                        senderWaiting.countDown();
                        try {
                            new CountDownLatch(1).await(); // until the receiver's error stops it
                        }
                        catch (InterruptedException ex) {
                            senderStopped.countDown();
                            throw new IllegalStateException("source interrupted", ex);
                        }
                    })
                    .receiver((event, collector) -> {
                        senderWaiting.await(); // the sender's stop lands in its wait, which it answers with its ISE
                        throw new IOException("bad " + event.data());
                    })
                    .run();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(senderStopped.getCount()).as("the sender was stopped by the receiver's error").isZero();
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(IOException.class).hasMessage("bad 1"));
        });
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    private TaskInfo worker(EmittingTask<?, ?> task, String name) {
        return orchestrator.find(task.id()).orElseThrow().children().stream()
                .filter(child -> child.name().equals(name)).findFirst().orElseThrow();
    }
}
