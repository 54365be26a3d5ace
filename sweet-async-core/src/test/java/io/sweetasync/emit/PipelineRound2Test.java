package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second hostile round against pipelines: interleavings the earlier reviews did not pin. Where a race
 * window is a few instructions wide, the test holds it open deterministically (a monitor the coordinator
 * needs, held while the other side moves) instead of hoping a loop hits it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineRound2Test {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("wide", 4))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }

    /** Whether some platform thread is blocked entering {@code method} of {@code type}. */
    private static boolean blockedIn(Class<?> type, String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .anyMatch(entry -> entry.getKey().getState() == Thread.State.BLOCKED && Arrays.stream(entry.getValue())
                        .anyMatch(frame -> frame.getClassName().equals(type.getName())
                                && frame.getMethodName().equals(method)));
    }

    /**
     * SPEC 2: under "stop on first error" the pipeline's result is an error. After the senders returned,
     * the coordinator checks for an error, then whether every worker has ended; a receiver that records
     * its error and ends between those two reads was taken for a clean finish: the pipeline completed,
     * with the error only listed in {@code errors()}. Held open here: the coordinator is kept inside the
     * second read (its workers' monitor held) while the receiver fails and ends.
     */
    @Test
    void anErrorRecordedAsTheLastReceiverEndsStillStopsThePipeline() throws Exception {
        CountDownLatch receiving = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("late-error").runtime("wide")
                .errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(emitter -> emitter.emit(0))
                .receiver((event, collector) -> {
                    receiving.countDown();
                    fail.await();
                    throw new IOException("the last event failed");
                })
                .run();
        assertThat(receiving.await(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
        PipelineWorkers workers = (PipelineWorkers) field(field(task, "pipeline"), "workers");
        Object monitor = field(workers, "workers");
        synchronized (monitor) {
            await().atMost(CEILING).until(() -> blockedIn(PipelineWorkers.class, "allEnded"));
            fail.countDown();
            // polled on this thread, which holds the monitor (reentrant), not on Awaitility's
            await().pollInSameThread().atMost(CEILING).until(workers::allEnded);
        }
        TaskResult<FinalEvent<Integer, Integer>> result = task.result();
        assertThat(result).as("a pipeline that stops on the first error, with an error").isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<?>) result).error()).hasRootCauseInstanceOf(IOException.class);
    }
}
