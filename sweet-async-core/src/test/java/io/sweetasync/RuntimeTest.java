package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RuntimeTest {

    private final ExecutorService userPool = Executors.newFixedThreadPool(2, r -> new Thread(r, "user-pool"));
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("cpu", 3))
            .runtime(TaskRuntime.executor("legacy", userPool))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
        userPool.shutdownNow();
    }

    @Test
    void eachRuntimeRunsOnItsOwnKindOfThread() {
        assertThat(orchestrator.to(Boolean.class).await(() -> Thread.currentThread().isVirtual())).isTrue();
        assertThat(orchestrator.to(String.class).runtime("platform").await(() -> Thread.currentThread().getName()))
                .startsWith("sweet-async-platform-");
        assertThat(orchestrator.to(String.class).runtime("single").await(() -> Thread.currentThread().getName()))
                .isEqualTo("sweet-async-single");
        assertThat(orchestrator.to(String.class).runtime("legacy").await(() -> Thread.currentThread().getName()))
                .isEqualTo("user-pool");
        assertThat(orchestrator.runtimes().get("cpu").kind()).isEqualTo(TaskRuntime.Kind.PLATFORM);
        assertThat(orchestrator.runtimes().get("cpu").parallelism()).isEqualTo(3);
    }

    @Test
    void singleRunsQueuedTasksOneAtATimeInPriorityOrderThenFifo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch gateRunning = new CountDownLatch(1);
        SpawningTask<Void> gate = orchestrator.<Void>to().runtime("single").run(() -> {
            gateRunning.countDown();
            release.await();
            return null;
        });
        gateRunning.await();
        List<String> order = new CopyOnWriteArrayList<>();
        Concurrency single = new Concurrency();
        List<SpawningTask<Void>> tasks = new ArrayList<>();
        String[] labels = { "low-1", "normal-1", "background", "critical", "low-2", "high", "normal-2" };
        TaskPriority[] priorities = { TaskPriority.LOW, TaskPriority.NORMAL, TaskPriority.BACKGROUND,
                TaskPriority.CRITICAL, TaskPriority.LOW, TaskPriority.HIGH, TaskPriority.NORMAL };
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            tasks.add(orchestrator.<Void>to().runtime("single").priority(priorities[i]).run(() -> {
                single.during(() -> order.add(label));
                return null;
            }));
        }
        release.countDown();
        gate.join();
        tasks.forEach(SpawningTask::join);
        assertThat(order).containsExactly("critical", "high", "normal-1", "normal-2", "low-1", "low-2", "background");
        assertThat(single.peak()).isEqualTo(1);
    }

    @Test
    void aPlatformPoolNeverRunsMoreThanItsThreads() {
        Concurrency pool = new Concurrency();
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(orchestrator.to(Integer.class).runtime("cpu").run(() -> {
                pool.during(() -> Thread.sleep(1));
                return 1;
            }));
        }
        assertThat(tasks.stream().mapToInt(SpawningTask::join).sum()).isEqualTo(200);
        assertThat(pool.peak()).isBetween(1, 3);
    }

    @Test
    void aParentOnTheSingleThreadCanJoinChildrenOnTheSameThread() {
        String result = orchestrator.to(String.class).runtime("single").await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            SpawningTask<String> child = context.runChild(() -> Thread.currentThread().getName());
            context.runChild(() -> "second");
            String seen = child.join();
            List<TaskResult<?>> all = context.joinChildren();
            return seen + "+" + all.size();
        });
        // The parent gives its slot to a spare thread of the same runtime while it waits.
        assertThat(result).startsWith("sweet-async-single").endsWith("+2");
    }

    @Test
    void aFullPoolWhoseTasksAllJoinQueuedChildrenDoesNotDeadlock() {
        List<SpawningTask<Integer>> parents = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            parents.add(orchestrator.to(Integer.class).runtime("cpu").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                for (int c = 0; c < 5; c++) {
                    context.child(Integer.class).run(() -> {
                        SpawningTask<Integer> grandchild = TaskContext.current().orElseThrow().runChild(() -> 1);
                        return grandchild.join();
                    });
                }
                return context.joinChildren().stream().mapToInt(r -> (Integer) r.orElseThrow()).sum();
            }));
        }
        assertThat(parents.stream().mapToInt(SpawningTask::join).sum()).isEqualTo(60);
    }

    @Test
    void crossRuntimeWaitsBetweenSingleAndPlatformDoNotDeadlock() {
        int value = orchestrator.to(Integer.class).runtime("single").await(() -> {
            SpawningTask<Integer> onPlatform = TaskContext.current().orElseThrow().child(Integer.class).runtime("cpu")
                    .run(() -> TaskContext.current().orElseThrow().child(Integer.class).runtime("single")
                            .run(() -> 7).join());
            return onPlatform.join();
        });
        assertThat(value).isEqualTo(7);
    }

    @Test
    void cancellingAWaiterThatHelpsDoesNotHitTheTaskItRunsNested() throws Exception {
        CountDownLatch waiterStarted = new CountDownLatch(1);
        CountDownLatch otherSubmitted = new CountDownLatch(1);
        CountDownLatch otherRunning = new CountDownLatch(1);
        CountDownLatch releaseOther = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<SpawningTask<Integer>> other = new java.util.concurrent.atomic.AtomicReference<>();
        SpawningTask<Integer> waiter = orchestrator.to(Integer.class).runtime("single").run(() -> {
            waiterStarted.countDown();
            otherSubmitted.await();
            return other.get().join();
        });
        waiterStarted.await();
        // The single thread is busy with the waiter, so `other` queues; the waiter then runs it nested.
        other.set(orchestrator.to(Integer.class).runtime("single").detached().run(() -> {
            otherRunning.countDown();
            releaseOther.await();
            return Thread.currentThread().isInterrupted() ? -1 : 5;
        }));
        otherSubmitted.countDown();
        otherRunning.await();
        assertThat(waiter.cancel()).isTrue();
        releaseOther.countDown();
        assertThat(other.get().join()).as("the nested, unrelated task was not interrupted").isEqualTo(5);
        assertThat(other.get().status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(waiter.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(waiter.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aRejectingExecutorFailsTheTaskWithTaskRejectedException() {
        userPool.shutdown();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("legacy").run(() -> 1);
        assertThatThrownBy(task::join).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("runtime 'legacy'");
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void runtimeNamesAreValidated() {
        assertThatThrownBy(() -> TaskRuntime.platform("has space", 1)).hasMessageContaining("'has space'");
        assertThatThrownBy(() -> TaskRuntime.platform("ok", 0)).hasMessageContaining("at least 1 thread, was 0");
        // A pool starts all its threads at first use: two billion of them would fail that use with an
        // OutOfMemoryError ("unable to create native thread"), not name the value at construction.
        assertThatThrownBy(() -> TaskRuntime.platform("huge", Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 32767 threads, was 2147483647");
        assertThat(TaskRuntime.platform("largest", 32_767).parallelism()).isEqualTo(32_767); // not started: no threads
        assertThatThrownBy(() -> TaskOrchestrator.builder().defaultRuntime("nope").build())
                .hasMessageContaining("default runtime 'nope' is not registered");
    }
}
