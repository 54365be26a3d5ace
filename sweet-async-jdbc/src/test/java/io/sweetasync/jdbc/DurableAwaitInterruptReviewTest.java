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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SpawningTaskBuilder.await} (and {@code AnywhereTaskBuilder.await}) cancel the task they started when
 * the waiting thread is interrupted: no handle was given out to cancel it otherwise. {@code
 * DurableTaskBuilder.await()} and {@code awaitResult} are {@code run().join()} / {@code run().result()}: the
 * caller gets a {@link CancellationException} and the durable task runs on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DurableAwaitInterruptReviewTest {

    private static final CountDownLatch NEVER = new CountDownLatch(1);

    @Disabled("""
            decision: should an interrupted DurableTaskBuilder.await()/awaitResult cancel the durable task it \
            stored and started, as every other terminal await does (SpawningTaskBuilder, AnywhereTaskBuilder, \
            awaitFinalEvent), or leave it running since it is durable? Today it runs on and its javadoc says \
            neither; the exception's message names the task, so it can be found and cancelled by id.""")
    @Test
    void anInterruptedAwaitOfADurableTaskCancelsTheTaskItStarted() {
        List<TaskInfo> finished = new CopyOnWriteArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(Databases.h2().newStore())
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
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
                .build()) {
            Thread.currentThread().interrupt();
            Throwable thrown = catchThrowable(() -> orchestrator.to(Integer.class).named("stored").durable("forever", 1).await());
            assertThat(Thread.interrupted()).as("the caller's interrupt status is kept").isTrue();
            assertThat(thrown).isInstanceOf(CancellationException.class);
            await().alias("the durable task the interrupted await started ends").atMost(Duration.ofSeconds(10))
                    .until(() -> finished.stream().anyMatch(task -> task.name().equals("stored")));
            assertThat(finished).extracting(TaskInfo::status).containsExactly(TaskStatus.CANCELLED);
        }
    }
}
