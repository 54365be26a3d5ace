package io.sweetasync.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cancel the {@code asynctasks} endpoint makes: one look at the orchestrator's live trees, which cancels a task
 * live there and answers how it ends, and answers nothing (null) for one it does not hold live, so that the endpoint
 * asks the cluster or answers 404.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveCancelsTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        never.countDown();
        orchestrator.close();
    }

    @Test
    void aLiveTaskIsCancelled() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
            running.countDown();
            never.await();
            return 1;
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        LiveCancels.Outcome outcome = LiveCancels.cancel(orchestrator, task.id());

        assertThat(outcome.cancelled()).isTrue();
        assertThat(task.toCompletableFuture().handle((value, failure) -> task.status()).get(30, TimeUnit.SECONDS))
                .isEqualTo(TaskStatus.CANCELLED);
    }

    /**
     * A finished root still in the history is finished, as one let go of is: null (the endpoint's 404, as README
     * says for a finished task). The history's snapshot was answered as a cancel too late ({@code COMPLETED}), which
     * the endpoint's look at the task before it (a finished task: not live) kept from the answer.
     */
    @Test
    void aFinishedRootInTheHistoryIsNotHeldLive() {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> 1);
        assertThat(task.join()).isEqualTo(1);
        assertThat(orchestrator.find(task.id())).as("in the history").isPresent();

        assertThat(LiveCancels.cancel(orchestrator, task.id())).isNull();
    }

    /** A finished child of a live root is in its root's tree, but finished: null, and not cancelled. */
    @Test
    void aFinishedChildOfALiveRootIsNotHeldLive() throws Exception {
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        CountDownLatch childDone = new CountDownLatch(1);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).run(() -> {
            SpawningTask<Integer> made = TaskContext.current().orElseThrow().runChild(() -> 2);
            child.set(made);
            made.join();
            childDone.countDown();
            never.await();
            return 1;
        });
        assertThat(childDone.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(LiveCancels.cancel(orchestrator, child.get().id())).isNull();
        assertThat(child.get().status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(root.isDone()).isFalse();
    }

    @Test
    void anUnknownTaskIsNotHeldLive() {
        assertThat(LiveCancels.cancel(orchestrator, TaskId.parse("9-42"))).isNull();
    }
}
