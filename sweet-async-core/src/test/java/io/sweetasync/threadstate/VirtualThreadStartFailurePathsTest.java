package io.sweetasync.threadstate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of 4ceabf1e..: the virtual runtime now throws a thread's start failure as it is. Every path that hands a
 * task to the runtime other than the first submission (a retry's next attempt from the clock's thread, a dependent
 * submitted from another task's end, a child started from a body, in a group) must still end the task FAILED with
 * the error, give back its permit and leave nothing live; the error must not escape to the thread that handed it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VirtualThreadStartFailurePathsTest {

    private static AtomicInteger failNext(TaskOrchestrator orchestrator) throws Exception {
        AtomicInteger failNext = new AtomicInteger();
        VirtualThreadStarts.failWhen(orchestrator, call -> failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0);
        return failNext;
    }

    private final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();

    /** Every task the orchestrator ran was announced finished exactly once. */
    private void announcedOnce(TaskOrchestrator orchestrator, String... names) {
        await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.liveCount() == 0);
        for (String name : names) {
            assertThat(finished.get(name)).as(name).isNotNull().hasValue(1);
        }
    }

    private TaskOrchestrator orchestrator() {
        TaskOrchestrator orchestrator = orchestrator0();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finished.computeIfAbsent(task.name(), name -> new AtomicInteger()).incrementAndGet();
            }
        });
        return orchestrator;
    }

    private static TaskOrchestrator orchestrator0() {
        return TaskOrchestrator.builder().group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
                .withLimits(1, 1, 1).withMaxWait(Duration.ofSeconds(30))).build();
    }

    private static Throwable cause(TaskResult<?> result) {
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        return ((TaskResult.Err<?>) result).error().getCause();
    }

    @Test
    void aRetrysNextAttemptThatCannotStartFailsTheTaskAndGivesBackItsPermit() throws Exception {
        try (TaskOrchestrator orchestrator = orchestrator()) {
            AtomicInteger failNext = failNext(orchestrator);
            AtomicInteger attempts = new AtomicInteger();
            SpawningTask<String> task = orchestrator.to(String.class).named("retried").group("g")
                    .timeout(Duration.ofSeconds(30))
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(1))))
                    .run(() -> {
                        attempts.incrementAndGet();
                        failNext.set(1);
                        throw new IOException("first");
                    });
            Throwable cause = cause(task.result());
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(cause).isInstanceOf(OutOfMemoryError.class);
            assertThat(attempts).hasValue(1);
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
            assertThat(orchestrator.to(String.class).named("next").group("g").run(() -> "ran").join()).isEqualTo("ran");
            announcedOnce(orchestrator, "retried", "next");
        }
    }

    @Test
    void aDependentThatCannotStartAfterItsDependencyEndsFails() throws Exception {
        try (TaskOrchestrator orchestrator = orchestrator()) {
            AtomicInteger failNext = failNext(orchestrator);
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> first = orchestrator.to(String.class).named("first").run(() -> {
                go.await();
                failNext.set(1);
                return "first";
            });
            SpawningTask<String> second = orchestrator.to(String.class).named("second").group("g").after(first)
                    .timeout(Duration.ofSeconds(30)).run(() -> "second");
            go.countDown();
            assertThat(first.join()).isEqualTo("first");
            assertThat(cause(second.result())).isInstanceOf(OutOfMemoryError.class);
            assertThat(second.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
            assertThat(orchestrator.to(String.class).named("next").group("g").run(() -> "ran").join()).isEqualTo("ran");
            announcedOnce(orchestrator, "first", "second", "next");
        }
    }

    @Test
    void aChildThatCannotStartFailsAloneAndItsParentJoinsAndFinishes() throws Exception {
        try (TaskOrchestrator orchestrator = orchestrator()) {
            AtomicInteger failNext = failNext(orchestrator);
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("parent").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                failNext.set(1);
                SpawningTask<String> child = context.child(String.class).named("child").group("g")
                        .timeout(Duration.ofSeconds(30)).run(() -> "child");
                List<TaskResult<?>> all = context.joinChildren();
                assertThat(child.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(cause(child.result())).isInstanceOf(OutOfMemoryError.class);
                return all.size();
            });
            assertThat(parent.join()).isEqualTo(1);
            assertThat(parent.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
            announcedOnce(orchestrator, "parent", "child");
        }
    }

    /** The deadline armed as the task was queued is disarmed as it fails: no timer is left for a dead task. */
    @Test
    void aTaskThatCannotStartLeavesNoDeadlineArmed() throws Exception {
        ManualClock clock = new ManualClock();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
            AtomicInteger failNext = failNext(orchestrator);
            failNext.set(1);
            SpawningTask<String> task = orchestrator.to(String.class).named("doomed")
                    .timeout(Duration.ofHours(1)).run(() -> "never");
            assertThat(cause(task.result())).isInstanceOf(OutOfMemoryError.class);
            assertThat(clock.pendingCount()).as("timers left armed").isZero();
            clock.advance(Duration.ofHours(2));
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(orchestrator.liveCount()).isZero();
        }
    }

    /**
     * A permit handed over by a task's end to the next waiter of its group, whose thread cannot start: that waiter
     * fails, and the permit goes on to the one after it.
     */
    @Test
    void aWaiterHandedThePermitThatCannotStartFailsAndTheNextWaiterRuns() throws Exception {
        try (TaskOrchestrator orchestrator = orchestrator()) {
            AtomicInteger failNext = failNext(orchestrator);
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> holder = orchestrator.to(String.class).named("holder").group("g").run(() -> {
                go.await();
                failNext.set(1);
                return "holder";
            });
            SpawningTask<String> second = orchestrator.to(String.class).named("second").group("g")
                    .run(() -> "second");
            SpawningTask<String> third = orchestrator.to(String.class).named("third").group("g")
                    .run(() -> "third");
            await().atMost(Duration.ofSeconds(30)).until(() -> holder.status() == TaskStatus.RUNNING
                    && second.status() == TaskStatus.QUEUED && third.status() == TaskStatus.QUEUED);
            go.countDown();
            assertThat(holder.join()).isEqualTo("holder");
            assertThat(cause(second.result())).isInstanceOf(OutOfMemoryError.class);
            assertThat(third.join()).isEqualTo("third");
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
            announcedOnce(orchestrator, "holder", "second", "third");
        }
    }
}
