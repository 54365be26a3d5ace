package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Concurrency groups and adaptive limits": queue priority, permits per attempt, executors that refuse. */
@Timeout(120)
class Review15ReadmeGroupsTest {

    private static final LimiterConfig ONE = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
            .withLimits(1, 1, 1);

    // "LimiterConfig.defaults() // ADAPTIVE, initial 20, 1..1000"
    @Test
    void theDefaultsAreAdaptiveTwentyOneToAThousand() {
        LimiterConfig defaults = LimiterConfig.defaults();
        assertThat(defaults.algorithm()).isEqualTo(LimitAlgorithm.ADAPTIVE);
        assertThat(defaults.initialLimit()).isEqualTo(20);
        assertThat(defaults.minLimit()).isEqualTo(1);
        assertThat(defaults.maxLimit()).isEqualTo(1000);
    }

    private static void awaitQueued(SpawningTask<?> task) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (task.status() != TaskStatus.QUEUED) {
            assertThat(System.nanoTime()).as("%s queued", task.name()).isLessThan(end);
            Thread.sleep(5);
        }
    }

    // "A full queue makes room for a task of a higher priority than its last waiter: the newest of the lowest
    // priority is rejected QUEUE_FULL in its place ("this BACKGROUND request gave its place to a CRITICAL one")."
    @Test
    void aFullQueueGivesTheNewestLowestPlaceToAHigherPriority() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", ONE.withQueueCapacity(2)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> holder = orchestrator.to(String.class).named("holder").group("g").run(() -> {
                release.await();
                return "h";
            });
            SpawningTask<String> older = orchestrator.to(String.class).named("older").group("g")
                    .priority(TaskPriority.BACKGROUND).run(() -> "older");
            awaitQueued(older);
            SpawningTask<String> newer = orchestrator.to(String.class).named("newer").group("g")
                    .priority(TaskPriority.BACKGROUND).run(() -> "newer");
            awaitQueued(newer);
            SpawningTask<String> critical = orchestrator.to(String.class).named("critical").group("g")
                    .priority(TaskPriority.CRITICAL).run(() -> "critical");
            TaskResult<String> rejected = newer.result();
            assertThat(rejected.isOk()).isFalse();
            TaskRejectedException error = (TaskRejectedException) ((TaskResult.Err<String>) rejected).error();
            assertThat(error.reason()).isEqualTo(RejectionReason.QUEUE_FULL);
            assertThat(error.getMessage()).contains("this BACKGROUND request gave its place to a CRITICAL one");
            assertThat(older.status()).isEqualTo(TaskStatus.QUEUED);
            release.countDown();
            assertThat(holder.join()).isEqualTo("h");
            assertThat(critical.join()).isEqualTo("critical");
            assertThat(older.join()).isEqualTo("older");
        }
    }

    // "a task that was already waiting takes the freed permit first, even a LOW one before a HIGH task's immediate
    // retry."
    @Test
    void aWaitingLowTaskTakesThePermitBeforeAHighTasksImmediateRetry() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("g", ONE).build()) {
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> high = orchestrator.to(String.class).named("high").group("g")
                    .priority(TaskPriority.HIGH).retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                        if (order.isEmpty()) {
                            order.add("high-1");
                            started.countDown();
                            release.await();
                            throw new IOException("first attempt fails");
                        }
                        order.add("high-2");
                        return "high";
                    });
            started.await();
            SpawningTask<String> low = orchestrator.to(String.class).named("low").group("g")
                    .priority(TaskPriority.LOW).run(() -> {
                        order.add("low");
                        return "low";
                    });
            awaitQueued(low);
            release.countDown();
            assertThat(high.join()).isEqualTo("high");
            assertThat(low.join()).isEqualTo("low");
            assertThat(order).containsExactly("high-1", "low", "high-2");
        }
    }

    // "A runtime on an executor of yours that refuses a task ends it the same way, in the executor's words:
    // QUEUE_FULL (a saturated pool), or SHUTDOWN if it is an ExecutorService that was shut down."
    @Test
    void anExecutorThatRefusesEndsTheTaskQueueFullOrShutdown() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new SynchronousQueue<>(),
                new ThreadPoolExecutor.AbortPolicy());
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("pool", pool)).runtime(TaskRuntime.executor("closed", closed)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).named("busy").runtime("pool").run(() -> {
                started.countDown();
                release.await();
                return "busy";
            });
            started.await();
            TaskResult<String> saturated = orchestrator.to(String.class).named("refused").runtime("pool").run(() -> "x")
                    .result();
            release.countDown();
            assertThat(busy.join()).isEqualTo("busy");
            assertThat(((TaskRejectedException) ((TaskResult.Err<String>) saturated).error()).reason())
                    .isEqualTo(RejectionReason.QUEUE_FULL);
            TaskResult<String> shut = orchestrator.to(String.class).named("shut").runtime("closed").run(() -> "x")
                    .result();
            assertThat(((TaskRejectedException) ((TaskResult.Err<String>) shut).error()).reason())
                    .isEqualTo(RejectionReason.SHUTDOWN);
        } finally {
            pool.shutdownNow();
        }
    }
    // "A permit is held per attempt: a retried task gives it back as a failed attempt ends and asks again for its
    // next one ..., so it never holds its group through a retry delay, its policy or its onRetrying listeners"
    @Test
    void aRetryingTaskHoldsNoPermitInOnRetrying() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("g", ONE).build()) {
            List<Integer> inFlightOnRetrying = new CopyOnWriteArrayList<>();
            orchestrator.addListener(new io.sweetasync.TaskListener() {
                @Override
                public void onRetrying(io.sweetasync.TaskInfo task, Throwable error, Duration delay) {
                    orchestrator.limiters().stream().filter(l -> l.group().equals("g"))
                            .forEach(l -> inFlightOnRetrying.add(l.inFlight()));
                }
            });
            java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
            String value = orchestrator.to(String.class).named("retried").group("g")
                    .retry(RetryPolicy.fixed(1, Duration.ZERO)).await(() -> {
                        if (attempts.incrementAndGet() == 1) {
                            throw new IOException("once");
                        }
                        return "second";
                    });
            assertThat(value).isEqualTo("second");
            assertThat(inFlightOnRetrying).containsExactly(0);
        }
    }

    // "So a task holding its group's last permit may wait for a child of the same group"
    @Test
    void aTaskHoldingTheLastPermitMayWaitForAChildOfItsGroup() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("g", ONE.withQueueCapacity(10)).build()) {
            String value = orchestrator.to(String.class).named("parent").group("g").await(() ->
                    io.sweetasync.TaskContext.current().orElseThrow().child(String.class).named("child").group("g")
                            .run(() -> "child").join() + "+parent");
            assertThat(value).isEqualTo("child+parent");
        }
    }
    // "A body does not hold its permit while it waits for other tasks (..., any TaskRuntime.managedBlock)"
    @Test
    void aBodyInAManagedBlockLendsItsPermitToAnotherRootOfTheGroup() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("g", ONE.withQueueCapacity(10)).build()) {
            CountDownLatch released = new CountDownLatch(1);
            String value = orchestrator.to(String.class).named("waiter").group("g").await(() -> {
                orchestrator.to(String.class).named("other-root").group("g").detached().run(() -> {
                    released.countDown();
                    return "other";
                });
                TaskRuntime.managedBlock(new java.util.concurrent.ForkJoinPool.ManagedBlocker() {
                    @Override
                    public boolean block() throws InterruptedException {
                        released.await();
                        return true;
                    }

                    @Override
                    public boolean isReleasable() {
                        return released.getCount() == 0;
                    }
                });
                return "waiter";
            });
            assertThat(value).isEqualTo("waiter");
        }
    }
}
