package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Edge inputs of SPEC section 1, through the public API only. */
@Timeout(60)
class CoreSpecEdgeTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(2)
            .group("one", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                    .withMaxWait(Duration.ofSeconds(Long.MAX_VALUE)))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * The way out of an orchestrator's default timeout that {@code defaultTimeout}'s javadoc gives: an endless
     * timeout. A sibling started after it, under the default, times out; it (its deadline would have been earlier)
     * goes on, and ends with its own result.
     */
    @Test
    void anEndlessTimeoutTakesATaskOutOfTheDefaultTimeout() throws Exception {
        try (TaskOrchestrator timed = TaskOrchestrator.builder().defaultTimeout(Duration.ofMillis(50)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> endless = timed.to(String.class).timeout(java.time.temporal.ChronoUnit.FOREVER.getDuration())
                    .run(() -> {
                        release.await();
                        return "done";
                    });
            SpawningTask<String> defaulted = timed.to(String.class).run(() -> {
                release.await();
                return "never";
            });
            assertThatThrownBy(defaulted::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(endless.status()).isEqualTo(TaskStatus.RUNNING);
            release.countDown();
            assertThat(endless.join()).isEqualTo("done");
        }
    }

    @Test
    void getOnTimedOutTaskThrowsExecutionExceptionWithTaskTimeoutException() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).timeout(Duration.ofMillis(100)).run(SpecSupport::sleepLong);
        assertThatThrownBy(t::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class);
    }

    @Test
    void getOnAnInterruptedWaiterThrowsInterruptedException() throws Exception {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                t.get();
            }
            catch (Throwable ex) {
                thrown.set(ex);
            }
        });
        await().until(() -> waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
        waiter.interrupt();
        waiter.join(5_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(t.isDone()).isFalse();
        t.cancel();
    }

    @Test
    void chainPassesCancellationThroughAndFailsWhenNextThrows() {
        SpawningTask<Integer> slow = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        SpawningTask<String> next = slow.chain(n -> "n" + n);
        slow.cancel();
        assertThatThrownBy(next::join).isInstanceOf(TaskCancelledException.class);
        assertThat(next.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(next.isCancelled()).isTrue();

        SpawningTask<String> broken = orchestrator.to(Integer.class).run(() -> 1).chain(n -> {
            throw new IllegalStateException("next broke");
        });
        assertThatThrownBy(broken::join).isInstanceOf(TaskFailedException.class).hasRootCauseMessage("next broke");
        assertThat(broken.status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void afterWaitsForItsDependencies() {
        SpawningTask<Integer> first = orchestrator.to(Integer.class).run(() -> {
            Thread.sleep(150);
            return 1;
        });
        SpawningTask<Integer> second = orchestrator.to(Integer.class).after(first).run(() -> {
            assertThat(first.status()).isEqualTo(TaskStatus.COMPLETED);
            return 2;
        });
        assertThat(second.join()).isEqualTo(2);
        assertThat(second.info().startedAt()).isAfterOrEqualTo(first.info().completedAt());
    }

    @Test
    void taskInfoIsAnImmutableSnapshot() {
        SpawningTask<String> t = orchestrator.to(String.class).tag("k", "v").run(() -> "x");
        t.join();
        TaskInfo info = t.info();
        assertThatThrownBy(() -> info.tags().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> info.children().add(info)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(info.tags()).containsEntry("k", "v");
    }

    @Test
    void finishedTasksLeaveTheLiveRegistryAndHistoryIsBounded() {
        for (int i = 0; i < 5; i++) {
            orchestrator.to(String.class).run(() -> "x").join();
        }
        await().until(() -> orchestrator.roots().isEmpty());
        assertThat(orchestrator.recent()).hasSizeLessThanOrEqualTo(2);
        assertThat(orchestrator.cancel(TaskId.of(1, 999_999))).isFalse();
    }

    @Test
    void negativeShutdownGraceIsRejectedNamingIt() {
        assertThatThrownBy(() -> orchestrator.shutdown(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace");
    }

    @Test
    void listenerThrowingAnErrorDoesNotBreakTasks() {
        orchestrator.addListener(SpecSupport.throwingListener(null, () -> new AssertionError("listener error")));
        assertThat(orchestrator.to(String.class).await(() -> "fine")).isEqualTo("fine");
    }

    @Test
    void fallbackReceivesTheTimeoutAndStatusStillSaysTimedOut() {
        AtomicReference<Object> seen = new AtomicReference<>();
        SpawningTask<Integer> t = orchestrator.to(Integer.class).timeout(Duration.ofMillis(100)).fallback(e -> {
            seen.set(e);
            return -1;
        }).run(SpecSupport::sleepLong);
        assertThat(t.join()).isEqualTo(-1);
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(seen.get()).isInstanceOf(TaskTimeoutException.class);
    }

    @Test
    void priorityOrdersTheGroupQueue() throws Exception {
        assertThat(SpecSupport.runOrderBehindOneBusySlot(orchestrator, builder -> builder.group("one"),
                List.of(TaskPriority.LOW, TaskPriority.BACKGROUND, TaskPriority.HIGH, TaskPriority.NORMAL,
                        TaskPriority.CRITICAL)))
                .containsExactly(TaskPriority.CRITICAL, TaskPriority.HIGH, TaskPriority.NORMAL, TaskPriority.LOW,
                        TaskPriority.BACKGROUND);
    }

    @Test
    void timeoutCoversTheWaitForAGroupPermit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<String> blocker = orchestrator.to(String.class).group("one").run(() -> {
            running.countDown();
            release.await();
            return "b";
        });
        running.await();
        SpawningTask<String> waiting = orchestrator.to(String.class).group("one").timeout(Duration.ofMillis(200))
                .run(() -> "never");
        assertThatThrownBy(waiting::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(waiting.status()).isEqualTo(TaskStatus.TIMED_OUT);
        release.countDown();
        blocker.join();
    }

    @Test
    void cancellationRequestIsVisibleInsideTheBody() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Boolean> requested = new AtomicReference<>();
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            started.countDown();
            while (!ctx.isCancellationRequested()) {
                Thread.onSpinWait();
            }
            requested.set(true);
            ctx.throwIfCancelled();
            return 1;
        });
        started.await();
        assertThat(t.cancel()).isTrue();
        t.result();
        assertThat(requested.get()).isTrue();
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void rejectedTaskGetThrowsExecutionExceptionWithTaskRejectedException() {
        orchestrator.shutdown(Duration.ZERO);
        SpawningTask<String> t = orchestrator.to(String.class).run(() -> "x");
        assertThatThrownBy(t::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskRejectedException.class);
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void runawaySnapshotSaysTheBodyStillRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean started = new AtomicBoolean();
        // the deadline runs from submission: on a loaded machine it can pass before the body has started, and a
        // body that never started is no runaway; such a task is run again with a deadline twice as long
        SpawningTask<Integer> t = null;
        for (Duration timeout = Duration.ofMillis(100); !started.get() && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).timeout(timeout).run(() -> {
                started.set(true);
                while (true) {
                    try {
                        release.await();
                        return 1;
                    }
                    catch (InterruptedException ignored) {
                        // ignores interrupts
                    }
                }
            });
            assertThatThrownBy(() -> task.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            t = task;
        }
        assertThat(t.info().runaway()).isTrue();
        assertThat(orchestrator.runaways()).extracting(TaskInfo::id).contains(t.id());
        release.countDown();
        await().until(() -> orchestrator.runawayCount() == 0);
    }

    @Test
    void noRetryPoliciesRetryNothing() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        orchestrator.to(String.class).retry(RetryPolicy.none()).run(() -> {
            calls.incrementAndGet();
            throw new IOException("x");
        }).result();
        orchestrator.to(String.class).retry(RetryPolicy.fixed(0, Duration.ofSeconds(1))).run(() -> {
            calls.incrementAndGet();
            throw new IOException("x");
        }).result();
        assertThat(calls).hasValue(2);
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ZERO).withJitter(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rootsAndFindShowLiveSubtrees() throws Exception {
        CountDownLatch spawned = new CountDownLatch(1);
        SpawningTask<?>[] child = new SpawningTask<?>[1];
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("root").run(() -> {
            child[0] = TaskContext.current().orElseThrow().child(Integer.class).named("leaf").run(SpecSupport::sleepLong);
            spawned.countDown();
            return SpecSupport.sleepLong();
        });
        spawned.await();
        TaskInfo fromRoots = orchestrator.roots().stream().filter(i -> i.id().equals(root.id())).findFirst().orElseThrow();
        assertThat(fromRoots.children()).extracting(TaskInfo::id).containsExactly(child[0].id());
        assertThat(orchestrator.find(root.id()).orElseThrow().children()).extracting(TaskInfo::name).containsExactly("leaf");
        assertThat(orchestrator.find(child[0].id()).orElseThrow().parentId()).isEqualTo(root.id());
        assertThat(child[0].info().path()).isEqualTo("root#" + root.id() + "/leaf#" + child[0].id());
        root.cancel();
        root.result();
    }

    @Test
    void afterCloseTasksAreRejectedNotThrown() {
        TaskOrchestrator closed = TaskOrchestrator.builder().build();
        closed.close();
        closed.close();
        SpawningTask<String> t = closed.to(String.class).run(() -> "x");
        assertThatThrownBy(t::join).isInstanceOf(TaskRejectedException.class);
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void awaitResultHandlerThatThrowsPropagatesItsOwnException() {
        assertThatThrownBy(() -> orchestrator.to(String.class).awaitResult(() -> "x", r -> {
            throw new IllegalStateException("handler broke");
        })).isInstanceOf(IllegalStateException.class).hasMessage("handler broke");
    }
}
