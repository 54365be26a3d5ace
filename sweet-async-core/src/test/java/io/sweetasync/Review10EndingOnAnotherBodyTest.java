package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TaskListener.onFinished: "A task started here is a root, not a child of the finished task (whose body's thread
 * this may be)". SpawningTaskBuilder.fallback: "A task the fallback starts is a root (no body runs on its thread any
 * more), not a child of the task that is ending". SPEC 1.8: TaskContext.current() is "empty elsewhere" than inside a
 * task body.
 *
 * <p>Both hold when a task ends on its own thread. But a task that ends synchronously inside another task's body --
 * a queued or pending task that body cancels (the "cancel the losers" pattern), a detached task whose group rejects
 * it as that body submits it -- runs its onFinished listeners and its fallback on that body's thread, with that
 * body's carrier: they see the other body's TaskContext, and every task they start becomes a child of that body
 * (which then waits for it, lists it in joinChildren(), and cancels it with itself).
 */
@Timeout(60)
class Review10EndingOnAnotherBodyTest {

    @Test
    void aTaskStartedByTheOnFinishedListenerOfATaskCancelledFromAnotherBodyIsARoot() {
        AtomicReference<SpawningTask<String>> fromListener = new AtomicReference<>();
        AtomicReference<Optional<TaskContext>> inListener = new AtomicReference<>();
        TaskOrchestrator[] self = new TaskOrchestrator[1];
        TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("loser")) {
                    inListener.set(TaskContext.current());
                    fromListener.set(self[0].to(String.class).named("audit").run(() -> "audited"));
                }
            }
        }).build();
        self[0] = o;
        CountDownLatch never = new CountDownLatch(1);
        try {
            SpawningTask<Integer> slow = o.to(Integer.class).named("slow").run(() -> {
                never.await();
                return 1;
            });
            // a task still waiting to start (here: for a dependency; a queued task on a busy runtime is the same)
            SpawningTask<Integer> loser = o.to(Integer.class).named("loser").after(slow).run(() -> 2);
            List<TaskResult<?>> children = o.to(Object.class).named("winner").<List<TaskResult<?>>>awaitResult(() -> {
                loser.cancel(); // the winner cancels the loser
                return TaskContext.current().orElseThrow().joinChildren();
            }, r -> {
                @SuppressWarnings("unchecked")
                List<TaskResult<?>> l = (List<TaskResult<?>>) r.orElseThrow();
                return l;
            });
            assertThat(fromListener.get().info().parentId()).as("parent of the task onFinished started").isNull();
            assertThat(children).as("winner's joinChildren(): it started none").isEmpty();
            assertThat(inListener.get()).as("TaskContext.current() in loser's onFinished").isEmpty();
        }
        finally {
            never.countDown();
            o.close();
        }
    }

    @Test
    void aTaskStartedByTheFallbackOfADetachedTaskRejectedInAnotherBodyIsARoot() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withQueueCapacity(1).withMaxWait(Duration.ofSeconds(60)))
                .build();
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        try {
            SpawningTask<Integer> holder = o.to(Integer.class).group("g").run(() -> {
                holding.countDown();
                hold.await();
                return 1;
            });
            holding.await();
            SpawningTask<Integer> queued = o.to(Integer.class).group("g").run(() -> 1);
            AtomicReference<Optional<TaskContext>> inFallback = new AtomicReference<>();
            AtomicReference<SpawningTask<String>> fromFallback = new AtomicReference<>();
            AtomicReference<SpawningTask<Integer>> rejected = new AtomicReference<>();
            o.to(String.class).named("submitter").await(() -> {
                rejected.set(o.to(Integer.class).named("side-job").detached().group("g").fallback(e -> {
                    inFallback.set(TaskContext.current());
                    fromFallback.set(o.to(String.class).named("from-fallback").run(() -> "f"));
                    return -1;
                }).run(() -> 1));
                return "done";
            });
            assertThat(rejected.get().join()).isEqualTo(-1);
            assertThat(rejected.get().info().parentId()).as("side-job is detached").isNull();
            assertThat(fromFallback.get().info().parentId()).as("parent of the task the fallback started").isNull();
            assertThat(inFallback.get()).as("TaskContext.current() in side-job's fallback").isEmpty();
            hold.countDown();
            holder.join();
            queued.join();
        }
        finally {
            hold.countDown();
            o.close();
        }
    }

    /**
     * The same, with an outcome that changes: the other body is a runaway (its task TIMED_OUT, its body still
     * running), so a task the ending task's fallback starts is refused as a "child task of a task that has ended",
     * the fallback throws, and the detached task ends with that error instead of the fallback's value.
     */
    @Test
    void theFallbackOfADetachedTaskRejectedInsideARunawayBodyStillGivesItsValue() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withQueueCapacity(1).withMaxWait(Duration.ofSeconds(60)))
                .build();
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch timedOut = new CountDownLatch(1);
        CountDownLatch submitted = new CountDownLatch(1);
        try {
            SpawningTask<Integer> holder = o.to(Integer.class).group("g").run(() -> {
                holding.countDown();
                hold.await();
                return 1;
            });
            holding.await();
            SpawningTask<Integer> queued = o.to(Integer.class).group("g").run(() -> 1);
            AtomicReference<SpawningTask<Integer>> sideJob = new AtomicReference<>();
            SpawningTask<String> runaway = o.to(String.class).named("runaway").timeout(Duration.ofMillis(200)).run(() -> {
                Work.awaitIgnoringInterrupts(timedOut); // ignores the deadline's interrupt
                sideJob.set(o.to(Integer.class).named("side-job").detached().group("g").fallback(e -> {
                    o.to(String.class).named("audit").run(() -> "fell back"); // any task the fallback starts
                    return -1;
                }).run(() -> 1));
                submitted.countDown();
                return "late";
            });
            runaway.result();
            assertThat(runaway.status()).isEqualTo(TaskStatus.TIMED_OUT);
            timedOut.countDown();
            assertThat(submitted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(sideJob.get().result()).as("the detached side-job, rejected: its fallback's value")
                    .isEqualTo(TaskResult.ok(-1));
            hold.countDown();
            holder.join();
            queued.join();
        }
        finally {
            hold.countDown();
            timedOut.countDown();
            o.close();
        }
    }
}
