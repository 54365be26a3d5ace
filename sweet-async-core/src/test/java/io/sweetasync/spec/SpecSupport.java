package io.sweetasync.spec;

import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** What the SPEC tests share; public API only, as a user's code would be. */
final class SpecSupport {

    private SpecSupport() {
    }

    /** A body that would take a minute: it ends when interrupted. */
    static Integer sleepLong() throws InterruptedException {
        Thread.sleep(60_000);
        return 0;
    }

    /** A listener whose every callback throws what {@code error} makes. */
    static TaskListener throwingListener(Supplier<? extends RuntimeException> runtime, Supplier<? extends Error> error) {
        return new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                fail();
            }

            @Override
            public void onStarted(TaskInfo task) {
                fail();
            }

            @Override
            public void onFinished(TaskInfo task) {
                fail();
            }

            private void fail() {
                if (runtime != null) {
                    throw runtime.get();
                }
                throw error.get();
            }
        };
    }

    /**
     * The order in which tasks of {@code priorities} (submitted in that order) run once the one slot that
     * {@code where} gives them (a one-permit group, a single-thread runtime) is freed: a blocker holds it
     * until every one of them is queued.
     */
    static List<TaskPriority> runOrderBehindOneBusySlot(TaskOrchestrator orchestrator,
            UnaryOperator<SpawningTaskBuilder<String>> where, List<TaskPriority> priorities) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<String> blocker = where.apply(orchestrator.to(String.class)).run(() -> {
            running.countDown();
            release.await();
            return "b";
        });
        running.await();
        List<TaskPriority> order = new CopyOnWriteArrayList<>();
        List<SpawningTask<String>> queued = new ArrayList<>();
        for (TaskPriority priority : priorities) {
            queued.add(where.apply(orchestrator.to(String.class)).priority(priority).run(() -> {
                order.add(priority);
                return "q";
            }));
        }
        await().until(() -> queued.stream().allMatch(t -> t.status() == TaskStatus.QUEUED));
        release.countDown();
        blocker.join();
        queued.forEach(SpawningTask::join);
        return order;
    }

    /** A running parent whose child ({@code child[0]} once this returns) and own body sleep long. */
    static SpawningTask<Integer> parentWithASleepingChild(TaskOrchestrator orchestrator, SpawningTask<?>[] child) {
        CountDownLatch spawned = new CountDownLatch(1);
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            child[0] = TaskContext.current().orElseThrow().runChild(SpecSupport::sleepLong);
            spawned.countDown();
            return sleepLong();
        });
        await().until(() -> spawned.getCount() == 0);
        return parent;
    }
}
