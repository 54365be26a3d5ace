package io.sweetasync.jdbc;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SpawningTaskBuilder.await} (and {@code AnywhereTaskBuilder.await}) cancel the task they started when
 * the waiting thread is interrupted: no handle was given out to cancel it otherwise. A durable task is the
 * exception, by decision: it is stored to run at least once whatever happens to its submitter (its process may
 * crash during the wait, and the task runs all the same), so an interrupt of the waiter, which is less than a
 * crash, does not cancel it either. The caller's {@link CancellationException} names the task, which can be
 * found (and cancelled) by its id.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DurableAwaitInterruptReviewTest {

    /** Fails if an interrupted durable await cancels the task it stored, or its exception does not name it. */
    @Test
    void anInterruptedAwaitOfADurableTaskLeavesTheStoredTaskRunning() {
        CountDownLatch release = new CountDownLatch(1);
        List<TaskInfo> finished = new CopyOnWriteArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(Databases.h2().newStore())
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .handler("held", Integer.class, argument -> {
                    release.await();
                    return argument;
                })
                .listener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        finished.add(task);
                    }
                })
                .build()) {
            Thread.currentThread().interrupt();
            Throwable thrown = catchThrowable(() -> orchestrator.to(Integer.class).named("stored").durable("held", 1).await());
            assertThat(Thread.interrupted()).as("the caller's interrupt status is kept").isTrue();
            assertThat(thrown).isInstanceOf(CancellationException.class).hasMessageContaining("stored#");
            release.countDown();
            await().alias("the durable task the interrupted await started ends").atMost(Duration.ofSeconds(10))
                    .until(() -> finished.stream().anyMatch(task -> task.name().equals("stored")));
            assertThat(finished).extracting(TaskInfo::status).containsExactly(TaskStatus.COMPLETED);
        }
    }
}
