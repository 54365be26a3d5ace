package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Thousands of tasks whose completion, cancel() and timeout collide: each ends in exactly one terminal
 * status, reported once, matching its result, and every waiter returns.
 */
class TerminalStateRaceTest {

    private static final int TASKS = 6_000;

    private final Map<TaskId, AtomicInteger> finishedEvents = new ConcurrentHashMap<>();
    private final Map<TaskId, TaskStatus> reportedStatus = new ConcurrentHashMap<>();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("pool", 4))
            .historySize(10)
            .listener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    finishedEvents.computeIfAbsent(task.id(), id -> new AtomicInteger()).incrementAndGet();
                    reportedStatus.put(task.id(), task.status());
                }
            })
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @RepeatedTest(5)
    void completionCancellationAndTimeoutRaceToExactlyOneTerminalStatus() throws Exception {
        List<SpawningTask<Integer>> tasks = new ArrayList<>(TASKS);
        List<Thread> cancellers = new ArrayList<>();
        String[] runtimes = { "virtual", "pool", "single" };
        for (int i = 0; i < TASKS; i++) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int kind = i % 10;
            // Controls whose outcome is certain: 0 blocks until cancelled, 1 until its timeout, 2 returns at once.
            int workMicros = kind <= 1 ? Integer.MAX_VALUE : kind == 2 ? 0 : random.nextInt(0, 400);
            boolean withChild = random.nextInt(4) == 0;
            SpawningTaskBuilder<Integer> builder = orchestrator.to(Integer.class)
                    .runtime(kind <= 1 ? "virtual" : runtimes[i % runtimes.length])
                    .tag("kind", Integer.toString(kind))
                    .retry(RetryPolicy.fixed(1, Duration.ZERO));
            if (kind == 1) {
                builder = builder.timeout(Duration.ofMillis(1));
            }
            else if (kind > 2) {
                builder = builder.timeout(Duration.ofNanos(random.nextLong(50_000, 600_000)));
            }
            SpawningTask<Integer> task = builder.run(() -> {
                if (withChild) {
                    TaskContext.current().orElseThrow().runChild(() -> busy(workMicros));
                }
                return busy(workMicros);
            });
            tasks.add(task);
            if (kind == 0 || (kind > 2 && random.nextBoolean())) {
                long delayNanos = random.nextLong(0, 300_000);
                cancellers.add(Thread.ofVirtual().start(() -> {
                    long end = System.nanoTime() + delayNanos;
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    task.cancel();
                }));
            }
        }
        for (Thread canceller : cancellers) {
            canceller.join();
        }

        CountDownLatch waitersDone = new CountDownLatch(tasks.size() * 2);
        for (SpawningTask<Integer> task : tasks) {
            Thread.ofVirtual().start(() -> {
                task.result();
                waitersDone.countDown();
            });
            Thread.ofVirtual().start(() -> {
                task.toCompletableFuture().handle((value, error) -> value).join();
                waitersDone.countDown();
            });
        }
        assertThat(waitersDone.await(2, TimeUnit.MINUTES)).as("every waiter returned").isTrue();
        int[] seen = new int[TaskStatus.values().length];
        for (SpawningTask<Integer> task : tasks) {
            TaskStatus status = task.status();
            assertThat(status.isTerminal()).isTrue();
            seen[status.ordinal()]++;
            assertThat(finishedEvents.get(task.id())).as("finished reported once for %s", task).hasValue(1);
            assertThat(reportedStatus.get(task.id())).as("status never changes after terminal").isEqualTo(status);
            TaskResult<Integer> result = task.result();
            TaskStatus certain = switch (task.info().tags().get("kind")) {
                case "0" -> TaskStatus.CANCELLED;
                case "1" -> TaskStatus.TIMED_OUT;
                case "2" -> TaskStatus.COMPLETED;
                default -> null;
            };
            if (certain != null) {
                assertThat(status).as("control task %s", task).isEqualTo(certain);
            }
            switch (status) {
                case COMPLETED -> assertThat(result).isInstanceOf(TaskResult.Ok.class);
                case CANCELLED -> assertThat(error(result)).isInstanceOf(TaskCancelledException.class);
                case TIMED_OUT -> assertThat(error(result)).isInstanceOf(TaskTimeoutException.class);
                default -> throw new AssertionError(task + " ended " + status + ": " + result);
            }
        }
        assertThat(orchestrator.liveCount()).as("no task left in the live registry").isZero();
        assertThat(seen[TaskStatus.COMPLETED.ordinal()] + seen[TaskStatus.CANCELLED.ordinal()]
                + seen[TaskStatus.TIMED_OUT.ordinal()]).isEqualTo(TASKS);
    }

    private static AsyncTaskException error(TaskResult<?> result) {
        return ((TaskResult.Err<?>) result).error();
    }

    /** Spins for about {@code micros}, responding to interrupts like blocking code would. */
    private static int busy(int micros) throws InterruptedException {
        if (micros == Integer.MAX_VALUE) {
            Thread.sleep(Long.MAX_VALUE);
        }
        long end = System.nanoTime() + micros * 1_000L;
        while (System.nanoTime() < end) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return micros;
    }
}
