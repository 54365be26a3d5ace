package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.ManualClock;
import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline's sender and receiver workers: whose deadline they live under, and what their failure does. */
class PipelineWorkersTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock)
            .defaultTimeout(Duration.ofSeconds(1)).defaultRetry(RetryPolicy.fixed(3, Duration.ZERO)).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    @Test
    void aWorkersDeadlineFallsAfterThePipelinesAndAnEndlessOneStaysEndless() {
        assertThat(PipelineWorkers.workerTimeout(Duration.ofMillis(300)))
                .isEqualTo(Duration.ofMillis(300).plus(PipelineWorkers.WORKER_DEADLINE_MARGIN));
        assertThat(PipelineWorkers.workerTimeout(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(PipelineWorkers.workerTimeout(Duration.ZERO)).isEqualTo(PipelineWorkers.WORKER_DEADLINE_MARGIN);
    }

    @Test
    void workersLiveUnderThePipelinesDeadlineNotTheOrchestratorsDefault() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiving = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("slow")
                    .timeout(Duration.ofMinutes(1)).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(numbers(50)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        receiving.countDown();
                        release.await();
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            receiving.await();
            clock.advance(Duration.ofSeconds(10)); // well past the orchestrator's default, inside the pipeline's
            release.countDown();
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.received()).isEqualTo(50);
            assertThat(done.collected()).hasSize(50);
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        });
    }

    @Test
    void thePipelinesDeadlineStillStopsItsWorkers() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiving = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("late")
                    .timeout(Duration.ofMinutes(1))
                    .sender(emitter -> emitter.emitAll(numbers(50)))
                    .receiver((event, collector) -> {
                        receiving.countDown();
                        new CountDownLatch(1).await();
                    })
                    .run();
            receiving.await();
            clock.advance(Duration.ofMinutes(2));
            assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            TaskInfo receiver = worker(task, "late.receiver");
            assertThat(receiver.status()).as("stopped by the pipeline's deadline, as its child")
                    .isEqualTo(TaskStatus.CANCELLED);
        });
    }

    /**
     * A pipeline that sets no timeout takes the orchestrator's default, and so did each of its workers: their
     * deadlines fell a moment after the pipeline's, and with the two deadline actions running on different
     * threads a worker's could decide first, failing the pipeline ("a worker ... timed out") instead of timing it
     * out (seen on a loaded machine: ReadmeClaimsTest). Workers now ask for no deadline of their own then: only
     * the pipeline's is scheduled, and it stops them.
     */
    @Test
    void aPipelineWithoutATimeoutGivesItsWorkersNoDeadlineOfTheirOwn() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiving = new CountDownLatch(2);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("defaulted")
                    .sender(emitter -> emitter.emitAll(numbers(50)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        receiving.countDown();
                        new CountDownLatch(1).await();
                    })
                    .run();
            receiving.await();
            assertThat(clock.requestedDelays()).as("the pipeline's deadline, at the orchestrator's default, alone")
                    .containsExactly(Duration.ofSeconds(1));
            clock.advance(Duration.ofSeconds(1));
            assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(worker(task, "defaulted.receiver").status()).isEqualTo(TaskStatus.CANCELLED);
        });
    }

    @Test
    void aReceiverWorkerThatIsCancelledFailsThePipelineInsteadOfHangingIt() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiving = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("orphaned")
                    .timeout(Duration.ofMinutes(1)).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(numbers(1_000)))
                    .receiver((event, collector) -> {
                        receiving.countDown();
                        new CountDownLatch(1).await();
                    })
                    .run();
            receiving.await();
            TaskInfo receiver = worker(task, "orphaned.receiver");
            assertThat(orchestrator.cancel(receiver.id())).isTrue();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(((TaskResult.Err<?>) result).error()).isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("orphaned.receiver#" + receiver.id())
                    .hasMessageContaining("cancelled");
        });
    }

    @Test
    void aSenderWorkerThatIsCancelledFailsThePipelineInsteadOfEndingItCompleted() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch sending = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("cut")
                    .timeout(Duration.ofMinutes(1))
                    .sender(emitter -> {
                        emitter.emit(0);
                        sending.countDown();
                        new CountDownLatch(1).await();
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            sending.await();
            TaskInfo sender = worker(task, "cut.sender");
            assertThat(orchestrator.cancel(sender.id())).isTrue();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(task.status()).as("a pipeline whose source was cut short did not complete")
                    .isEqualTo(TaskStatus.FAILED);
            assertThat(((TaskResult.Err<?>) result).error()).hasMessageContaining("cut.sender#" + sender.id());
        });
    }

    @Test
    void aPipelineIsNeverRetriedAsAWholeWhateverTheOrchestratorsDefault() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicInteger sends = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("once")
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> {
                        sends.incrementAndGet();
                        throw new IOException("source broke");
                    })
                    .receiver((event, collector) -> { })
                    .run();
            assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(task.info().attempts()).isEqualTo(1);
            assertThat(sends).hasValue(1);
        });
    }

    @Test
    void parallelSendersSharingOneStreamCloseItOnceAfterTheLastOneIsDone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lines.txt");
        Files.write(file, numbers(5_000).stream().map(String::valueOf).toList());
        for (int run = 0; run < 20; run++) {
            assertTimeoutPreemptively(CEILING, () -> {
                AtomicInteger inside = new AtomicInteger();
                AtomicInteger closes = new AtomicInteger();
                AtomicInteger insideAtClose = new AtomicInteger(-1);
                BufferedReader reader = Files.newBufferedReader(file);
                Stream<String> lines = reader.lines().onClose(() -> {
                    closes.incrementAndGet();
                    insideAtClose.set(inside.get());
                    try {
                        reader.close();
                    }
                    catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
                FinalEvent<String, String> done = orchestrator.emits(String.class).bufferSize(16)
                        .sender(SenderStrategy.parallel(MinMax.of(3, 3)), emitter -> {
                            inside.incrementAndGet();
                            try {
                                emitter.emitAll(lines);
                            }
                            finally {
                                inside.decrementAndGet();
                            }
                        })
                        .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                        .awaitFinalEvent();
                assertThat(done.errors()).isEmpty();
                assertThat(done.collected()).hasSize(5_000);
                assertThat(closes).as("closed once").hasValue(1);
                // closed by a worker as it left emitAll (others may have been about to join it: they
                // find it closed and emit nothing); read after the close, it would have thrown
                assertThat(insideAtClose.get()).as("closed from inside emitAll").isPositive();
            });
        }
    }

    @Test
    void aSenderThatComesToASharedStreamAfterItWasClosedEmitsNothingAndDoesNotTouchIt(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("lines.txt");
        Files.write(file, numbers(100).stream().map(String::valueOf).toList());
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch closed = new CountDownLatch(1);
            BufferedReader reader = Files.newBufferedReader(file);
            Stream<String> lines = reader.lines().onClose(() -> {
                try {
                    reader.close();
                }
                catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
                closed.countDown();
            });
            FinalEvent<String, String> done = orchestrator.emits(String.class)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> {
                        if (emitter.senderIndex() == 1) {
                            closed.await();
                        }
                        emitter.emitAll(lines);
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.emitted()).isEqualTo(100);
        });
    }

    private TaskInfo worker(EmittingTask<?, ?> task, String name) {
        return orchestrator.find(task.id()).orElseThrow().children().stream()
                .filter(child -> child.name().equals(name)).findFirst().orElseThrow();
    }
}
