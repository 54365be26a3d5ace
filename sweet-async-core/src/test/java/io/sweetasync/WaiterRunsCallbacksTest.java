package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * A body waiting on a task's future ({@code toCompletableFuture().get()}) runs, once woken, the callbacks still left on
 * that future on its own stack, as any {@code CompletableFuture} waiter does. They are no part of that body: they see
 * no {@link TaskContext}, and a task they start is a root, as on the completing thread. They saw the waiting body's
 * context, and their tasks became its children (the body's {@code joinChildren()} listed them), depending on which
 * thread got to them first.
 */
@Timeout(60)
class WaiterRunsCallbacksTest {

    @RepeatedTest(5)
    void callbacksAWaitingBodyRunsSeeNoTaskAndStartRoots() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> t = o.to(String.class).named("t").run(() -> {
                go.await();
                return "t";
            });
            CompletableFuture<String> f = t.toCompletableFuture();
            AtomicReference<Optional<TaskContext>> seen = new AtomicReference<>();
            AtomicReference<SpawningTask<String>> started = new AtomicReference<>();
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            f.thenRun(() -> { // the oldest: whoever pops it runs it
                ranOn.set(Thread.currentThread());
                seen.set(TaskContext.current());
                started.set(o.to(String.class).named("from-callback").run(() -> "c"));
            });
            f.whenComplete((v, e) -> { // newer: the completing thread sleeps in it, the woken waiter pops the oldest
                try {
                    Thread.sleep(300);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicReference<Thread> waiter = new AtomicReference<>();
            SpawningTask<Integer> w = o.to(Integer.class).named("w").run(() -> {
                waiter.set(Thread.currentThread());
                f.get();
                return TaskContext.current().orElseThrow().joinChildren().size();
            });
            while (waiter.get() == null || waiter.get().getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            go.countDown();
            assertThat(w.get(20, TimeUnit.SECONDS)).as("children of w: it started none").isZero();
            assertThat(seen.get()).as("TaskContext.current() in the callback (ran on " + ranOn.get() + ")").isEmpty();
            assertThat(started.get().info().parentId()).as("the callback's task is a root").isNull();
        }
    }
}
