package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** More black-box checks of SPEC sections 1 and 3, through the public API only. */
@Timeout(60)
class CoreSpecMoreTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.single("one"))
            .group("tight", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                    .withQueueCapacity(1).withMaxWait(Duration.ofSeconds(Long.MAX_VALUE)))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void timeoutCoversChildrenAndCancelsThem() {
        SpawningTask<?>[] child = new SpawningTask<?>[1];
        // the deadline runs from submission: on a loaded machine it can pass before the body has spawned the
        // child (then there is no child to check), so such a run is repeated with a deadline twice as long
        for (Duration timeout = Duration.ofMillis(200); child[0] == null; timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            SpawningTask<String> parent = orchestrator.to(String.class).timeout(timeout).run(() -> {
                child[0] = TaskContext.current().orElseThrow().runChild(SpecSupport::sleepLong);
                return "body done";
            });
            assertThatThrownBy(parent::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        child[0].result();
        assertThat(child[0].status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void timeoutCoversRetriesAndBackoff() {
        SpawningTask<String> t = orchestrator.to(String.class).timeout(Duration.ofMillis(250))
                .retry(RetryPolicy.fixed(100, Duration.ofMillis(100))).run(() -> {
                    throw new IOException("always");
                });
        assertThatThrownBy(t::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }

    @Test
    void failedBodyCancelsItsUnfinishedChildren() {
        SpawningTask<?>[] child = new SpawningTask<?>[1];
        SpawningTask<String> parent = orchestrator.to(String.class).run(() -> {
            child[0] = TaskContext.current().orElseThrow().runChild(SpecSupport::sleepLong);
            throw new IOException("parent fails");
        });
        parent.result();
        assertThat(parent.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(child[0].status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void detachedTaskIsARoot() {
        SpawningTask<?>[] inner = new SpawningTask<?>[1];
        orchestrator.to(String.class).run(() -> {
            inner[0] = orchestrator.to(String.class).detached().run(() -> "free");
            return "x";
        }).join();
        inner[0].join();
        assertThat(inner[0].info().parentId()).isNull();
    }

    @Test
    void singleRuntimeRunsQueuedTasksInPriorityOrder() throws Exception {
        assertThat(SpecSupport.runOrderBehindOneBusySlot(orchestrator, builder -> builder.runtime("one"),
                List.of(TaskPriority.BACKGROUND, TaskPriority.LOW, TaskPriority.NORMAL, TaskPriority.HIGH,
                        TaskPriority.CRITICAL)))
                .containsExactly(TaskPriority.CRITICAL, TaskPriority.HIGH, TaskPriority.NORMAL, TaskPriority.LOW,
                        TaskPriority.BACKGROUND);
    }

    @Test
    void groupQueuesThenRejectsWhenItsQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<String> first = orchestrator.to(String.class).group("tight").run(() -> {
            running.countDown();
            release.await();
            return "1";
        });
        running.await();
        SpawningTask<String> second = orchestrator.to(String.class).group("tight").run(() -> "2");
        await().until(() -> second.status() == TaskStatus.QUEUED);
        SpawningTask<String> third = orchestrator.to(String.class).group("tight").run(() -> "3");
        assertThatThrownBy(third::join).isInstanceOf(TaskRejectedException.class);
        assertThat(third.status()).isEqualTo(TaskStatus.FAILED);
        release.countDown();
        assertThat(first.join()).isEqualTo("1");
        assertThat(second.join()).isEqualTo("2");
    }

    @Test
    void zeroMaxWaitRejectsAtOnceWhenBusy() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withMaxWait(Duration.ZERO))
                .build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<String> first = o.to(String.class).group("g").run(() -> {
                running.countDown();
                release.await();
                return "1";
            });
            running.await();
            SpawningTask<String> second = o.to(String.class).group("g").run(() -> "2");
            assertThatThrownBy(second::join).isInstanceOf(TaskRejectedException.class);
            release.countDown();
            first.join();
        }
    }

    @Test
    void platformTaskWaitingForChildrenOnAOneThreadPoolFinishes() {
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("platform", 1)).build()) {
            Integer sum = o.to(Integer.class).runtime("platform").await(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                SpawningTask<Integer> a = ctx.runChild(() -> 1);
                SpawningTask<Integer> b = ctx.runChild(() -> a.join() + 1);
                return a.join() + b.join();
            });
            assertThat(sum).isEqualTo(3);
        }
    }
}
