package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random acyclic wait graphs across the {@code single}, a two-thread {@code platform} and the
 * {@code virtual} runtime: each task waits (join, result, timed get, joinChildren) for tasks created
 * before it and for children it starts, with yields at random points. Every graph must finish
 * (SPEC §1.7); a deadlock fails the test by its timeout. The seed of a failing round is in the message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RandomWaitGraphTest {

    private static final String[] RUNTIMES = { "single", "duo", "virtual" };

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("duo", 2))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void everyAcyclicWaitGraphFinishes() {
        long base = System.nanoTime();
        for (int round = 0; round < 150; round++) {
            long seed = base + round;
            int tasks = 10;
            SplittableRandom random = new SplittableRandom(seed);
            AtomicReferenceArray<SpawningTask<Integer>> handles = new AtomicReferenceArray<>(tasks);
            for (int i = 0; i < tasks; i++) {
                int self = i;
                long taskSeed = random.nextLong();
                String runtime = RUNTIMES[random.nextInt(RUNTIMES.length)];
                TaskPriority priority = TaskPriority.values()[random.nextInt(TaskPriority.values().length)];
                handles.set(i, orchestrator.to(Integer.class).runtime(runtime).priority(priority)
                        .run(() -> body(self, new SplittableRandom(taskSeed), handles)));
            }
            List<Integer> results = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                results.add(handles.get(i).join());
            }
            assertThat(results).as("seed %d", seed).allSatisfy(value -> assertThat(value).isPositive());
        }
        assertThat(orchestrator.roots()).isEmpty();
    }

    private int body(int self, SplittableRandom random, AtomicReferenceArray<SpawningTask<Integer>> handles)
            throws Exception {
        int sum = 1;
        TaskContext context = TaskContext.current().orElseThrow();
        int children = random.nextInt(3);
        for (int c = 0; c < children; c++) {
            String runtime = RUNTIMES[random.nextInt(RUNTIMES.length)];
            context.child(Integer.class).runtime(runtime).run(() -> {
                Thread.yield();
                return 1;
            });
        }
        for (int j = 0; j < self; j++) {
            if (random.nextInt(4) != 0) {
                continue;
            }
            if (random.nextBoolean()) {
                Thread.yield();
            }
            SpawningTask<Integer> earlier = handles.get(j);
            sum += switch (random.nextInt(3)) {
                case 0 -> earlier.join();
                case 1 -> earlier.result().orElseThrow();
                default -> earlier.get(1, TimeUnit.DAYS);
            };
        }
        for (TaskResult<?> child : context.joinChildren()) {
            sum += (Integer) child.orElseThrow();
        }
        return sum;
    }

    @Test
    void theSparesOfABusyPoolRetireOnceTheWaitsAreOver() {
        // Spares idle for the keep-alive retire: 2 s here instead of 10 s (set before the runtime's first task).
        ((PooledRuntime) orchestrator.runtimes().get("duo")).keepAliveNanos = TimeUnit.SECONDS.toNanos(2);
        List<SpawningTask<Integer>> parents = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            parents.add(orchestrator.to(Integer.class).runtime("duo").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                return context.runChild(() -> context.runChild(() -> 1).join()).join();
            }));
        }
        assertThat(parents.stream().mapToInt(SpawningTask::join).sum()).isEqualTo(6);
        RuntimeSnapshot duo = orchestrator.runtimes().get("duo").snapshot();
        assertThat(duo.peakBlocked()).isPositive();
        assertThat(duo.blocked()).isZero();
        assertThat(duo.threads()).isGreaterThan(2);
        // The spares retire; the two core threads stay.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> orchestrator.runtimes().get("duo").snapshot().threads() == 2);
    }
}
