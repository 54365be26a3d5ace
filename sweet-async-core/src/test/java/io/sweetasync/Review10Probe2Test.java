package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Review10Probe2Test {

    /** Errors name the task, its path, its attempts and the reason: a failure deep in a tree, rejections, a timeout. */
    @Test
    void messages() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withQueueCapacity(1)
                        .withMaxWait(Duration.ofMillis(100)))
                .build();
        try {
            SpawningTask<Integer> t = o.to(Integer.class).named("a").run(() ->
                    TaskContext.current().orElseThrow().child(Integer.class).named("b").await(() ->
                            TaskContext.current().orElseThrow().child(Integer.class).named("c")
                                    .retry(RetryPolicy.fixed(1, Duration.ZERO)).await(() -> {
                                        throw new IOException("deep");
                                    })));
            Throwable error = ((TaskResult.Err<?>) t.result()).error();
            assertThat(error).hasMessageContaining("task c#").hasMessageContaining("(in a#")
                    .hasMessageContaining("failed after 2 attempts: IOException: deep").hasRootCauseMessage("deep");
            CountDownLatch hold = new CountDownLatch(1);
            SpawningTask<Integer> h = o.to(Integer.class).group("g").run(() -> {
                hold.await();
                return 1;
            });
            SpawningTask<Integer> q = o.to(Integer.class).group("g").named("q").run(() -> 1);
            SpawningTask<Integer> r = o.to(Integer.class).group("g").named("r").run(() -> 1);
            assertThat(((TaskResult.Err<?>) r.result()).error()).isInstanceOf(TaskRejectedException.class)
                    .hasMessageContaining("group 'g' is at its limit of 1 and its queue is full (capacity 1)");
            assertThat(((TaskResult.Err<?>) q.result()).error()).isInstanceOf(TaskRejectedException.class)
                    .hasMessageContaining("waited longer than PT0.1S for a permit of group 'g'");
            hold.countDown();
            h.join();
            SpawningTask<Integer> timed = o.to(Integer.class).named("slow").timeout(Duration.ofMillis(50)).run(() -> {
                Thread.sleep(10_000);
                return 1;
            });
            assertThat(((TaskResult.Err<?>) timed.result()).error()).isInstanceOf(TaskTimeoutException.class)
                    .hasMessageContaining("timed out after PT0.05S");
        }
        finally {
            o.close();
        }
        SpawningTask<Integer> after = o.to(Integer.class).named("late").run(() -> 1);
        assertThat(after.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<?>) after.result()).error()).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("shutting down");
        EmittingTask<Integer, Integer> p = o.emits(Integer.class).named("latep")
                .sender(SenderStrategy.serial(), em -> em.emit(1))
                .receiver(ReceiverStrategy.serial(), (e, c) -> c.collect(1, 1)).run();
        assertThat(p.status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void platformRuntimePriority() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("one", 1)).build();
        try {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch in = new CountDownLatch(1);
            SpawningTask<Integer> blocker = o.to(Integer.class).runtime("one").run(() -> {
                in.countDown();
                hold.await();
                return 0;
            });
            in.await();
            List<String> order = new CopyOnWriteArrayList<>();
            SpawningTask<?>[] ts = new SpawningTask<?>[5];
            TaskPriority[] ps = {TaskPriority.BACKGROUND, TaskPriority.LOW, TaskPriority.NORMAL, TaskPriority.HIGH, TaskPriority.CRITICAL};
            for (int i = 0; i < 5; i++) {
                TaskPriority p = ps[i];
                ts[i] = o.to(Integer.class).runtime("one").priority(p).run(() -> {
                    order.add(p.name());
                    return 1;
                });
            }
            hold.countDown();
            for (SpawningTask<?> t : ts) {
                t.join();
            }
            blocker.join();
            assertThat(order).containsExactly("CRITICAL", "HIGH", "NORMAL", "LOW", "BACKGROUND");
        }
        finally {
            o.close();
        }
    }
}
