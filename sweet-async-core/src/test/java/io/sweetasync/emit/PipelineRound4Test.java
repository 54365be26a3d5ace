package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fourth hostile round against pipelines: senders' child tasks, sources that fail as they open, the worker
 * counts of ended pipelines.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineRound4Test {

    private static final Duration CEILING = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * A sender is a task, and a task's body that returns waits for its children (SPEC 1.8, rule 2): a sender that
     * hands its emitting to child tasks has finished when they have. Before, the pipeline took the body's return
     * for the end of sending and closed the buffer: the children's emits were refused, the children failed
     * unseen (a child's failure does not fail its parent), and the pipeline completed with 4 of 150 events and
     * no error.
     */
    @Test
    void eventsASendersChildTasksEmitAfterItsBodyReturnedAreReceived() {
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.emits(Integer.class)
                .bufferSize(4)
                .sender(emitter -> {
                    TaskContext sender = TaskContext.current().orElseThrow();
                    for (int child = 0; child < 3; child++) {
                        int first = child * 100;
                        sender.runChild(() -> {
                            for (int i = 0; i < 50; i++) {
                                emitter.emit(first + i);
                            }
                            return null;
                        });
                    }
                })
                .receiver(ReceiverStrategy.parallel(2),
                        (event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent());
        assertThat(done.errors()).isEmpty();
        assertThat(done.emitted()).isEqualTo(150);
        assertThat(done.received()).isEqualTo(150);
        assertThat(done.collected()).hasSize(150);
    }

    /**
     * More parallel senders start only while no sender has returned (the source is drained once one has): a
     * sender whose body returned but whose child task still runs keeps the pipeline sending, and the receivers
     * starve meanwhile, but no sender starts beside it to run the body again.
     */
    @Test
    void noParallelSenderStartsAfterOneReturnedWhileItsChildTaskRuns() {
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.emits(Integer.class)
                .sender(SenderStrategy.parallel(MinMax.of(1, 2)), emitter -> {
                    emitter.emit(emitter.senderIndex());
                    TaskContext.current().orElseThrow().runChild(() -> {
                        Thread.sleep(Pipeline.TICK.multipliedBy(8)); // receivers starve for several ticks
                        return null;
                    });
                })
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent());
        assertThat(done.collected()).as("sender workers that ran the body").containsOnlyKeys(0);
    }

    /**
     * The same for a chunked source: Sources.chunked took the source's return for its end and closed its
     * chunking emitter, so elements its child tasks emitted afterwards were refused (the children failing
     * unseen) and the pipeline completed without them.
     */
    @Test
    void elementsAChunkedSourcesChildTasksEmitAfterItReturnedAreChunked() {
        FinalEvent<Long, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.<List<Integer>>emits()
                .bufferSize(2)
                .sender(Sources.chunked(emitter -> {
                    TaskContext sender = TaskContext.current().orElseThrow();
                    for (int child = 0; child < 3; child++) {
                        int first = child * 100;
                        sender.runChild(() -> {
                            for (int i = 0; i < 50; i++) {
                                emitter.emit(first + i);
                            }
                            return null;
                        });
                    }
                }, 8))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data().size()))
                .awaitFinalEvent());
        assertThat(done.errors()).isEmpty();
        assertThat(done.collected().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(150);
    }

    /**
     * Parallel senders share each emitAll pass over one source object; a call whose source throws as it is
     * opened (its iterator(), say a connection refused) made no pass. Before, it counted as one anyway: the
     * worker's next emitAll of the object (a retry) looked for a pass that did not exist and failed with
     * IndexOutOfBoundsException, emitting nothing, where a serial sender emits everything.
     */
    @Test
    void aParallelSenderRetryingASourceThatFailedToOpenEmitsIt() {
        AtomicInteger opened = new AtomicInteger();
        Iterable<Integer> flaky = () -> {
            if (opened.getAndIncrement() == 0) {
                throw new IllegalStateException("not reachable yet");
            }
            return List.of(1, 2, 3).iterator();
        };
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.emits(Integer.class)
                .sender(SenderStrategy.parallel(MinMax.of(1, 1)), emitter -> {
                    try {
                        emitter.emitAll(flaky);
                    }
                    catch (IllegalStateException notYet) {
                        emitter.emitAll(flaky);
                    }
                })
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent());
        assertThat(done.errors()).isEmpty();
        assertThat(done.collected()).containsOnlyKeys(1, 2, 3);
    }

    /**
     * PipelineProgress counts the workers "running now". A worker cancelled before its body ran (the pipeline
     * cancelled while they queued) was counted as running for good: the ended pipeline showed a sender and three
     * receivers running, in progress() and in its task's frozen snapshot.
     */
    @Test
    void aPipelineCancelledBeforeItsWorkersRanShowsNoneRunning() {
        List<Runnable> held = new CopyOnWriteArrayList<>();
        AtomicBoolean first = new AtomicBoolean(true);
        TaskOrchestrator own = TaskOrchestrator.builder().runtime(TaskRuntime.executor("held", command -> {
            if (first.getAndSet(false)) {
                Thread.ofPlatform().daemon().start(command); // the pipeline's coordinator
            }
            else {
                held.add(command); // its workers, run only once the pipeline is cancelled
            }
        })).build();
        try {
            EmittingTask<Integer, Integer> task = own.emits(Integer.class).runtime("held")
                    .sender(emitter -> emitter.emit(1))
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> collector.collect(event.data(), 1))
                    .run();
            await().alias("the sender and three receivers queued").atMost(CEILING).until(() -> held.size() >= 4);
            task.cancel();
            held.forEach(Runnable::run);
            TaskResult<FinalEvent<Integer, Integer>> result = assertTimeoutPreemptively(CEILING, task::result);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class,
                    err -> assertThat(err.error()).isInstanceOf(TaskCancelledException.class));
            assertThat(task.progress().senders()).as("senders running").isZero();
            assertThat(task.progress().receivers()).as("receivers running").isZero();
            assertThat(task.info().progress()).containsEntry("senders", 0L).containsEntry("receivers", 0L);
        }
        finally {
            own.close();
        }
    }
}
