package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 2 promises as an outside test reads them, where the other pipeline tests left a gap: the workers of a
 * pipeline appear in the task tree "with their counts", and its receives wait for permits in its priority.
 */
@Timeout(60)
class SpecConformanceEmitTest extends PipelineHostileSupport {

    /**
     * SPEC 2: "its sender and receivers appear as children with their counts". Only the pipeline task published
     * counts; its {@code name.sender} and {@code name.receiver} children showed none, so a tree (the endpoint, the
     * dashboard) could not tell which worker did what. Each sender now shows what it emitted, each receiver what
     * it received, live and frozen at their end; they add up to the pipeline's.
     */
    @Test
    void eachWorkerAppearsInTheTreeWithItsOwnCounts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // one instance of each: the two senders share them, so each element is emitted once
        List<Integer> first = numbers(10);
        List<Integer> rest = IntStream.range(10, 100).boxed().toList();
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("counted").bufferSize(4)
                .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> {
                    emitter.emitAll(first);
                    release.await();
                    emitter.emitAll(rest);
                })
                .receiver(ReceiverStrategy.parallel(3), (event, collector) -> collector.collect(event.data(), event.data()))
                .run();
        try {
            await().alias("the first ten events received while the senders are held").atMost(CEILING)
                    .until(() -> task.progress().received() == 10);
            TaskInfo live = orchestrator.find(task.id()).orElseThrow();
            assertThat(count(workers(live, "counted.sender"), "emitted")).isEqualTo(10);
            assertThat(count(workers(live, "counted.receiver"), "received")).isEqualTo(10);
        }
        finally {
            release.countDown();
        }
        task.join();

        TaskInfo done = orchestrator.find(task.id()).orElseThrow();
        List<TaskInfo> senders = workers(done, "counted.sender");
        List<TaskInfo> receivers = workers(done, "counted.receiver");
        assertThat(senders).hasSize(2).allSatisfy(sender -> assertThat(sender.progress()).containsKey("emitted"));
        assertThat(receivers).hasSize(3).allSatisfy(receiver -> assertThat(receiver.progress()).containsKey("received"));
        assertThat(count(senders, "emitted")).isEqualTo(100);
        assertThat(count(receivers, "received")).isEqualTo(100);
    }

    /**
     * SPEC 1.2 and 2: a task's priority "orders admission wherever tasks wait", a pipeline has a {@code priority},
     * and a pipeline left without one takes its parent task's, as every task does. Its receives asked the group
     * for permits as {@code NORMAL} all the same, so a pipeline started by a {@code HIGH} task waited behind
     * {@code NORMAL} work of the group. They now ask with the pipeline's own priority, set or inherited.
     */
    @Test
    void aPipelineWithoutAPriorityOfItsOwnAsksForPermitsWithItsParentsPriority() throws Exception {
        try (TaskOrchestrator grouped = TaskOrchestrator.builder().group("partner", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)).build()) {
            ConcurrencyLimiter partner = grouped.limiter("partner");
            CountDownLatch release = new CountDownLatch(1);
            List<String> admitted = new CopyOnWriteArrayList<>();
            SpawningTask<Integer> holder = grouped.to(Integer.class).group("partner").run(() -> {
                release.await();
                return 0;
            });
            SpawningTask<Integer> normal;
            SpawningTask<Long> parent;
            try {
                await().alias("the permit held").atMost(CEILING).until(() -> partner.inFlight() == 1);
                normal = grouped.to(Integer.class).group("partner").run(() -> {
                    admitted.add("normal task");
                    return 0;
                });
                await().alias("the normal task queued").atMost(CEILING).until(() -> partner.queued() == 1);
                parent = grouped.to(Long.class).priority(TaskPriority.HIGH).run(() -> grouped.emits(Integer.class)
                        .group("partner")
                        .sender(emitter -> emitter.emit(1))
                        .receiver((event, collector) -> admitted.add("pipeline of the high task"))
                        .awaitFinalEvent().received());
                await().alias("the pipeline's receive queued").atMost(CEILING).until(() -> partner.queued() == 2);
            }
            finally {
                release.countDown();
            }
            assertThat(parent.join()).isEqualTo(1);
            normal.join();
            holder.join();
            assertThat(admitted).containsExactly("pipeline of the high task", "normal task");
        }
    }

    /** The sum of {@code name} over {@code workers}, a worker without it counting 0. */
    private static long count(List<TaskInfo> workers, String name) {
        return workers.stream().mapToLong(worker -> worker.progress().getOrDefault(name, 0L)).sum();
    }

    private static List<TaskInfo> workers(TaskInfo pipeline, String name) {
        return pipeline.children().stream().filter(child -> child.name().equals(name)).toList();
    }
}
