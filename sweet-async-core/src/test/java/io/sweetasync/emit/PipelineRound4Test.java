package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A fourth hostile round against pipelines: senders' child tasks, sources that fail as they open, counts of ended pipelines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineRound4Test {

    private static final Duration CEILING = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
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
}
