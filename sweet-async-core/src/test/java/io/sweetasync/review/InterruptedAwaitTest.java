package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller interrupted while it waits in a terminal {@code await} method holds no handle to the task it
 * started: {@code SpawningTaskBuilder.await} and {@code awaitResult}, and a pipeline's
 * {@code awaitFinalEvent}, cancel it ("no handle was given out to cancel it otherwise"). The same must hold
 * for the other builders whose {@code await} starts a task, or the task runs on with nobody to stop it.
 */
@Timeout(20)
class InterruptedAwaitTest {

    /** Never returns by itself: it ends when its thread is interrupted. */
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    private final List<TaskInfo> finished = new CopyOnWriteArrayList<>();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .handler("forever", Integer.class, argument -> {
                NEVER.await();
                return argument;
            })
            .listener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    finished.add(task);
                }
            })
            .build();

    @AfterEach
    void close() {
        Thread.interrupted();
        orchestrator.close();
    }

    /** The handle's task (a root); without a cluster the work runs here as its child, of the same name. */
    private static boolean isPlacedHandle(TaskInfo task) {
        return task.name().equals("placed") && task.parent().isEmpty();
    }

    @Test
    void anInterruptedAwaitOfAnAnywhereTaskCancelsTheTaskItStarted() {
        Thread.currentThread().interrupt();
        Throwable thrown = catchThrowable(() -> orchestrator.to(Integer.class).named("placed").anywhere().await("forever", 1));
        assertThat(Thread.interrupted()).as("the caller's interrupt status is kept").isTrue();
        assertThat(thrown).isInstanceOf(CancellationException.class);
        await().alias("the task the interrupted await started ends").atMost(Duration.ofSeconds(10))
                .until(() -> finished.stream().anyMatch(InterruptedAwaitTest::isPlacedHandle));
        assertThat(finished).filteredOn(InterruptedAwaitTest::isPlacedHandle)
                .extracting(TaskInfo::status).containsExactly(TaskStatus.CANCELLED);
    }

    @Test
    void anInterruptedAwaitResultOfAnAnywhereTaskCancelsTheTaskItStarted() {
        Thread.currentThread().interrupt();
        Throwable thrown = catchThrowable(() -> orchestrator.to(Integer.class).named("placed")
                .anywhere().awaitResult("forever", 1, result -> result));
        assertThat(Thread.interrupted()).as("the caller's interrupt status is kept").isTrue();
        assertThat(thrown).isInstanceOf(CancellationException.class);
        await().alias("the task the interrupted awaitResult started ends").atMost(Duration.ofSeconds(10))
                .until(() -> finished.stream().anyMatch(InterruptedAwaitTest::isPlacedHandle));
        assertThat(finished).filteredOn(InterruptedAwaitTest::isPlacedHandle)
                .extracting(TaskInfo::status).containsExactly(TaskStatus.CANCELLED);
    }
}
