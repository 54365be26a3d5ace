package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The order in which a task's end reaches what follows it (issue #19, before the work that runs the followers of a
 * task's outcome without a completion of their own), pinned as it is:
 * <ul>
 * <li>the {@code onFinished} listeners, the history and the live registry come before a {@code toCompletableFuture()}
 * future completes: its callback sees the task ended everywhere, and its waits answer at once;</li>
 * <li>a child's futures complete, and their callbacks run, before its parent can end;</li>
 * <li>a waiter ({@code join}, {@code get}) that began to wait before the task's first future or dependent was made is
 * released only after the future's callbacks ran and the dependent was started;</li>
 * <li>the engine's own terminal actions ({@link TaskNode#whenTerminal}: durable and cluster clean-ups, a forced end
 * waiting for a child) keep their place among the followers: one registered before the first follower runs after the
 * followers, one registered after runs before them, as {@code CompletableFuture} runs its dependents newest first.</li>
 * </ul>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompletionOrderTest {

    private final List<String> order = new CopyOnWriteArrayList<>();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aFuturesCallbackRunsAfterTheOnFinishedListenersAndSeesTheTaskEndedEverywhere() {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                order.add("finished " + task.name());
            }
        });
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
            go.await();
            return "done";
        });
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<Void> callback = job.toCompletableFuture().thenAccept(value -> {
            order.add("future " + value);
            seen.set(job.status() + " isDone=" + job.isDone() + " join=" + job.join()
                    + " found=" + orchestrator.find(job.id()).map(TaskInfo::status).orElse(null)
                    + " inRecent=" + orchestrator.recent().stream().anyMatch(info -> info.id().equals(job.id()))
                    + " inRoots=" + orchestrator.roots().stream().anyMatch(info -> info.id().equals(job.id())));
        });
        go.countDown();
        callback.join();
        assertThat(order).containsExactly("finished job", "future done");
        assertThat(seen.get()).isEqualTo("COMPLETED isDone=true join=done found=COMPLETED inRecent=true inRoots=false");
    }

    @Test
    void aFailedTasksFutureCallbackSeesItsFailureEverywhere() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
            go.await();
            throw new IllegalStateException("boom");
        });
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<String> callback = job.toCompletableFuture().whenComplete((value, error) ->
                seen.set(job.status() + " " + job.result().isOk() + " "
                        + orchestrator.find(job.id()).map(TaskInfo::status).orElse(null)));
        go.countDown();
        assertThat(callback).failsWithin(30, TimeUnit.SECONDS);
        assertThat(seen.get()).isEqualTo("FAILED false FAILED");
    }

    @Test
    void aChildsFutureCallbackRunsBeforeItsParentEnds() {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                order.add("finished " + task.name());
            }
        });
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<String> parentSeen = new AtomicReference<>();
        CountDownLatch childFutureMade = new CountDownLatch(1);
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            SpawningTask<String> child = context.child(String.class).named("child").run(() -> {
                go.await();
                return "c";
            });
            child.toCompletableFuture().thenRun(() -> {
                order.add("child future");
                parentSeen.set(orchestrator.find(context.id()).map(TaskInfo::status).orElse(null) + "");
            });
            childFutureMade.countDown();
            return "p"; // returns without joining: the parent waits for its child before it ends
        });
        CompletableFuture<Void> parentDone = parent.toCompletableFuture().thenRun(() -> order.add("parent future"));
        await(childFutureMade);
        go.countDown();
        parentDone.join();
        assertThat(order).containsExactly("finished child", "child future", "finished parent", "parent future");
        assertThat(parentSeen.get()).as("the parent's status in its child's future callback").isEqualTo("RUNNING");
    }

    /**
     * A waiter that began to wait before the task's first future and dependent were made is released only after the
     * future's callback ran and the dependent was started (a waiter that began after is released before them, racing
     * with them: that order is not pinned).
     */
    @RepeatedTest(3)
    void anEarlierWaiterIsReleasedAfterTheFuturesCallbacksAndTheDependentsStart() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
            go.await();
            return "done";
        });
        earlierWaitersAreReleasedAfterTheFuturesCallbackAndTheDependentsStart(job, "done", go);
    }

    /**
     * As above, for a task that itself waits for another ({@code chain}, {@code after}): a waiter on it that began to
     * wait before its first future and dependent were made is released only after the future's callback ran and the
     * dependent was started. Such a task registered its own removal from its upstream's dependents as it was made,
     * before any waiter could come: that registration is not one of the followers, and does not decide where they run.
     */
    @RepeatedTest(3)
    void anEarlierWaiterOnAChainedTaskIsReleasedAfterItsFuturesCallbacksAndItsDependentsStart() throws Exception {
        for (boolean chained : new boolean[] {true, false}) {
            order.clear();
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> upstream = orchestrator.to(String.class).named("upstream").run(() -> {
                go.await();
                return "up";
            });
            SpawningTask<String> job = chained ? upstream.chain(value -> value + "+chain")
                    : orchestrator.to(String.class).named("after").after(upstream).run(() -> "after");
            String value = chained ? "up+chain" : "after";
            earlierWaitersAreReleasedAfterTheFuturesCallbackAndTheDependentsStart(job, value, go);
        }
    }

    /**
     * A {@code join()} and a {@code get()} that wait for {@code job} (whose value is {@code value}, once {@code go}
     * opens) before its first future and dependent are made are released only after the future's callback ran and the
     * dependent was started.
     */
    private void earlierWaitersAreReleasedAfterTheFuturesCallbackAndTheDependentsStart(SpawningTask<String> job,
            String value, CountDownLatch go) throws Exception {
        AtomicReference<SpawningTask<String>> next = new AtomicReference<>();
        AtomicReference<String> seenByJoiner = new AtomicReference<>();
        Thread joiner = Thread.ofPlatform().name("joiner").start(() -> {
            job.join();
            order.add("join returned");
            seenByJoiner.set(next.get().status() + "");
        });
        AtomicReference<String> seenByGetter = new AtomicReference<>();
        Thread getter = Thread.ofPlatform().name("getter").start(() -> {
            try {
                job.get();
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            seenByGetter.set(order.contains("future " + value) + "");
        });
        awaitWaiting(joiner);
        awaitWaiting(getter);
        CompletableFuture<Void> callback = job.toCompletableFuture().thenAccept(done -> order.add("future " + done));
        CountDownLatch nextMayEnd = new CountDownLatch(1);
        next.set(job.chain(done -> {
            await(nextMayEnd);
            return done + "!";
        }));
        go.countDown();
        joiner.join();
        getter.join();
        callback.join();
        assertThat(order).as(value).containsExactly("future " + value, "join returned");
        assertThat(seenByJoiner.get()).as(value + ": the next task's status when the earlier join() returned")
                .isIn("QUEUED", "RUNNING");
        assertThat(seenByGetter.get()).as(value + ": the future's callback had run when the earlier get() returned")
                .isEqualTo("true");
        nextMayEnd.countDown();
        assertThat(next.get().join()).isEqualTo(value + "!");
    }

    /**
     * A task that waits for another ({@code chain}, {@code after}, with one upstream or two) and ends first (cancelled)
     * is let go of by the upstreams that have not ended: they do not keep it, or its tree, however long they run. The
     * removal follows its end, after its waiters were released: awaited, with a ceiling.
     */
    @Test
    void aWaitingTaskThatEndsFirstIsLetGoOfByItsUpstreams() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> upstream = orchestrator.to(String.class).named("upstream").run(() -> {
            go.await();
            return "up";
        });
        SpawningTask<String> other = orchestrator.to(String.class).named("other").run(() -> {
            go.await();
            return "other";
        });
        TaskOutcome<?> up = ((TaskNode<?>) upstream).outcome;
        TaskOutcome<?> second = ((TaskNode<?>) other).outcome;
        SpawningTask<String> chain = upstream.chain(value -> value + "!");
        chain.toCompletableFuture().whenComplete((value, error) -> order.add("chain future"));
        SpawningTask<String> after = orchestrator.to(String.class).named("after").after(upstream).run(() -> "after");
        SpawningTask<String> afterBoth = orchestrator.to(String.class).named("afterBoth").after(upstream, other)
                .run(() -> "both");
        SpawningTask<String> kept = orchestrator.to(String.class).named("kept").after(upstream).run(() -> "kept");
        assertThat(up.dependentTasks()).hasSize(4);
        assertThat(second.dependentTasks()).hasSize(1);
        for (SpawningTask<String> job : List.of(chain, after, afterBoth)) {
            assertThat(job.cancel()).isTrue();
            assertThat(job.result().isOk()).isFalse(); // waits for its end
        }
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(up.dependentTasks()).containsExactly((TaskNode<?>) kept));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !second.hasDependents());
        assertThat(order).containsExactly("chain future");
        go.countDown();
        assertThat(kept.join()).isEqualTo("kept");
        assertThat(up.hasDependents()).isFalse();
    }

    /**
     * The engine's terminal actions keep their place among the task's followers: registered before its first future
     * (a durable or placed task's clean-up, registered as it is made), after the future's callbacks; registered after
     * (a forced end waiting for a child's end under way), before them.
     */
    @Test
    void theEnginesTerminalActionsKeepTheirPlaceAmongTheFollowers() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
            go.await();
            return "done";
        });
        TaskNode<?> node = (TaskNode<?>) job;
        CountDownLatch last = new CountDownLatch(1); // the last action: a join() may return before it ran
        node.whenTerminal(() -> {
            order.add("registered before");
            last.countDown();
        });
        CompletableFuture<Void> callback = job.toCompletableFuture().thenAccept(value -> order.add("future " + value));
        node.whenTerminal(() -> order.add("registered after"));
        go.countDown();
        callback.join();
        job.join();
        await(last);
        assertThat(order).containsExactly("registered after", "future done", "registered before");
    }

    /** As above, for a task whose first follower is a dependent ({@code after}) rather than a future. */
    @Test
    void theEnginesTerminalActionsKeepTheirPlaceAroundADependentsStart() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
            go.await();
            return "done";
        });
        TaskNode<?> node = (TaskNode<?>) job;
        AtomicReference<SpawningTask<String>> after = new AtomicReference<>();
        CountDownLatch last = new CountDownLatch(1); // the last action: the dependent may end before it ran
        node.whenTerminal(() -> {
            order.add("registered before, dependent " + after.get().status());
            last.countDown();
        });
        after.set(orchestrator.to(String.class).named("after").after(job).run(() -> "after"));
        node.whenTerminal(() -> order.add("registered after, dependent " + after.get().status()));
        go.countDown();
        after.get().join();
        await(last);
        assertThat(order).hasSize(2);
        assertThat(order.get(0)).isEqualTo("registered after, dependent PENDING");
        assertThat(order.get(1)).startsWith("registered before, dependent ").doesNotEndWith("PENDING");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitWaiting(Thread thread) {
        while (thread.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
    }
}
