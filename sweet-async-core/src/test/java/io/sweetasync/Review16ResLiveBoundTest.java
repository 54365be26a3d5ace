package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A live task's {@code PENDING} figure is "what is known so far, a lower bound" ({@link ResourceValue.Source#PENDING}).
 * Under {@code MEASURE_AND_SAMPLE} a platform-thread task between its attempts read the larger of its measured sum
 * and its sampled amount; but a sampled amount is an estimate made of whole grains (a CPU sample stands for 10 ms of
 * the thread's CPU, a TLAB refill for the whole new TLAB), and on a platform thread it overshoots what the counters
 * measured exactly: a task that had used 2 ms of CPU and a few kilobytes read 10 ms and a whole TLAB while live,
 * more CPU than its run time, then fell to its measured figure once it ended.
 */
@RunsAlone
class Review16ResLiveBoundTest {

    private static final Duration HANG = Duration.ofSeconds(120);
    private static final int TASKS = 40;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.single("one"))
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aLiveFigureBetweenAttemptsNeverExceedsTheMeasuredFinalOne() {
        Work.assumeCounters();
        assertTimeoutPreemptively(HANG, () -> {
            CountDownLatch firstAttemptsEnded = new CountDownLatch(TASKS);
            orchestrator.addListener(new TaskListener() {
                @Override
                public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                    firstAttemptsEnded.countDown();
                }
            });
            List<SpawningTask<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                // one attempt of a little CPU and a little allocation, then an hour's wait for the retry
                tasks.add(orchestrator.to(Integer.class).runtime("one").retry(RetryPolicy.fixed(1, Duration.ofHours(1)))
                        .run(() -> {
                            Work.spinCpu(3_000_000L);
                            Work.allocate(48 * 1024);
                            throw new IOException("first attempt");
                        }));
            }
            firstAttemptsEnded.await();
            Thread.sleep(3_000); // not an outcome: lets the first attempts' sampled events arrive (about once a second)
            List<TaskMetrics> live = tasks.stream().map(SpawningTask::metrics).toList();
            tasks.forEach(SpawningTask::cancel);
            List<String> overshoots = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                TaskMetrics between = live.get(i);
                TaskMetrics end = await(tasks.get(i));
                assertThat(end.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
                assertThat(between.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.PENDING);
                long cpu = between.cpuTimeNanos().amount();
                if (cpu > end.cpuTimeNanos().amount() || cpu > between.runTime().toNanos()) {
                    overshoots.add("task " + i + ": live CPU " + cpu + " ns, final " + end.cpuTimeNanos().amount()
                            + " ns, run time " + between.runTime().toNanos() + " ns");
                }
                long allocated = between.allocatedBytes().amount();
                if (allocated > end.allocatedBytes().amount()) {
                    overshoots.add("task " + i + ": live allocation " + allocated + " bytes, final "
                            + end.allocatedBytes().amount() + " bytes");
                }
            }
            assertThat(overshoots).as("live figures above the final measured ones (or CPU above run time)").isEmpty();
        });
    }

    private static TaskMetrics await(SpawningTask<Integer> task) throws InterruptedException {
        while (!task.status().isTerminal()) {
            Thread.sleep(5);
        }
        return task.metrics();
    }
}
