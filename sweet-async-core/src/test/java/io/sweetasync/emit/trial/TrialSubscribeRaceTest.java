package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/** Trial (SPEC 2, results stream): subscribers arriving all along a run and across its end each get everything once. */
class TrialSubscribeRaceTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @RepeatedTest(20)
    void subscribersRacingTheEndGetEveryResultAndOneCompletion() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> source = IntStream.range(0, 400).boxed().toList();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(16)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 3)), (event, collector) -> {
                        collector.collect(event.data(), event.data());
                        if (event.data() % 2 == 0) {
                            collector.collect(-event.data() - 1, 0);
                        }
                    })
                    .run();
            List<TrialRecorder<Map.Entry<Integer, Integer>>> recorders = new CopyOnWriteArrayList<>();
            Thread subscriber = Thread.ofPlatform().start(() -> {
                int after = 0;
                while (after < 5) {
                    if (task.isDone()) {
                        after++;
                    }
                    TrialRecorder<Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
                    recorders.add(recorder);
                    task.results().subscribe(recorder);
                    Thread.yield();
                }
            });
            task.join();
            subscriber.join();
            for (TrialRecorder<Map.Entry<Integer, Integer>> recorder : recorders) {
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isNull();
                assertThat(recorder.terminals.get()).isEqualTo(1);
                assertThat(recorder.afterTerminal.get()).isZero();
                assertThat(recorder.items).hasSize(600);
            }
        });
    }
}
