package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * User callbacks that wait for task outcomes: "callbacks cannot hang a task". A fallback and an
 * {@code onFinished} listener run while their task ends, before its outcome completes and before it
 * leaves its parent; a wait they make for that task, one of its ancestors or a task waiting for one of
 * those could never end. Each test failed (hung, bounded by its timeout) before the fix that came with it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallbackWaitsTest {

    private static final List<String> RUNTIMES = List.of("virtual", "platform", "single");

    /** A wait on a handle. */
    @FunctionalInterface
    interface Wait {
        Object on(SpawningTask<?> task) throws Exception;
    }

    /** Every unbounded wait a handle offers. */
    private static final Map<String, Wait> WAITS = new LinkedHashMap<>();

    static {
        WAITS.put("join()", SpawningTask::join);
        WAITS.put("result()", SpawningTask::result);
        WAITS.put("get()", SpawningTask::get);
        WAITS.put("toCompletableFuture().join()", task -> task.toCompletableFuture().join());
        WAITS.put("toCompletableFuture().get()", task -> task.toCompletableFuture().get());
    }

    private final List<TaskOrchestrator> made = new CopyOnWriteArrayList<>();
    private final Latches latches = new Latches();

    @AfterEach
    @Timeout(10)
    void tearDown() {
        latches.releaseAll();
        made.forEach(TaskOrchestrator::close);
    }

    private TaskOrchestrator orchestrator(TaskListener... listeners) {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        for (TaskListener listener : listeners) {
            builder.listener(listener);
        }
        TaskOrchestrator orchestrator = builder.build();
        made.add(orchestrator);
        return orchestrator;
    }

    /** The message of the IllegalStateException {@code wait} throws, or what happened instead. */
    private static String refusal(Wait wait, SpawningTask<?> task) {
        try {
            return "no refusal: " + wait.on(task);
        }
        catch (IllegalStateException ex) {
            return ex.getMessage();
        }
        catch (Exception ex) {
            return "no refusal: " + ex;
        }
    }

    /** A listener whose {@code onFinished} runs {@code action} for the tasks named {@code name}. */
    private static TaskListener onFinishedOf(String name, Consumer<TaskInfo> action) {
        return new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals(name)) {
                    action.accept(task);
                }
            }
        };
    }

    // ---- 1. a fallback waiting for its own task --------------------------------------------------------

    /**
     * fallback(): "the value to use when the task fails for good". The fallback runs while the task ends,
     * before its outcome completes: a fallback joining its own task (join(), result(), get(), its future)
     * waited for its own return, for ever, and the task never ended. Refused now with
     * IllegalStateException naming the task, as a body's wait for itself is; a fallback that throws fails
     * the task with TaskFailedException (the fallback's exception as cause, the original error suppressed).
     */
    @Test
    void aFallbackWaitingForItsOwnTaskIsRefused() {
        TaskOrchestrator orchestrator = orchestrator();
        for (String runtime : RUNTIMES) {
            for (Map.Entry<String, Wait> wait : WAITS.entrySet()) {
                CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
                SpawningTask<String> task = orchestrator.to(String.class).named("falls-back").runtime(runtime)
                        .fallback(error -> {
                            try {
                                return "fallback waited: " + wait.getValue().on(self.join());
                            }
                            catch (RuntimeException ex) {
                                throw ex;
                            }
                            catch (Exception ex) {
                                return "fallback waited: " + ex;
                            }
                        })
                        .run(() -> {
                            self.join();
                            throw new IOException("boom");
                        });
                self.complete(task);
                String what = runtime + ", " + wait.getKey();

                TaskResult<String> result = task.result();
                assertThat(task.status()).as(what).isEqualTo(TaskStatus.FAILED);
                assertThat(result).as(what).isInstanceOf(TaskResult.Err.class);
                AsyncTaskException error = ((TaskResult.Err<String>) result).error();
                assertThat(error).as(what).isInstanceOf(TaskFailedException.class);
                assertThat(error.getCause()).as(what).isInstanceOf(IllegalStateException.class);
                assertThat(error.getCause().getMessage()).as(what)
                        .contains("falls-back#" + task.id()).contains("fallback").contains("its own");
                assertThat(error.getSuppressed()).as(what).hasSize(1);
                assertThat(error.getSuppressed()[0].getCause()).as(what).isInstanceOf(IOException.class);
            }
        }
    }

    /**
     * The same after a deadline: the fallback of a timed-out task whose body returns at its interrupt runs
     * on the body's thread; that of a runaway (a body ignoring its interrupt) on the deadline's thread.
     * Both waited for ever for their own task; both are refused.
     */
    @Test
    void aFallbackWaitingForItsOwnTimedOutTaskIsRefused() {
        TaskOrchestrator orchestrator = orchestrator();
        CountDownLatch never = latches.next();
        for (boolean runaway : new boolean[] {false, true}) {
            CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
            SpawningTask<String> task = orchestrator.to(String.class).named("times-out")
                    .timeout(Duration.ofMillis(50))
                    .fallback(error -> String.valueOf(self.join().join()))
                    .run(() -> {
                        while (true) {
                            try {
                                never.await();
                                return "released";
                            }
                            catch (InterruptedException ex) {
                                if (!runaway) {
                                    throw ex;
                                }
                            }
                        }
                    });
            self.complete(task);

            TaskResult<String> result = task.result();
            assertThat(task.status()).as("runaway " + runaway).isEqualTo(TaskStatus.TIMED_OUT);
            AsyncTaskException error = ((TaskResult.Err<String>) result).error();
            assertThat(error.getCause()).as("runaway " + runaway).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("times-out#" + task.id());
            assertThat(error.getSuppressed()[0]).isInstanceOf(TaskTimeoutException.class);
        }
    }

    /**
     * A child's fallback joining its parent: the parent ends only after the child, which ends only after
     * its fallback returns. Refused, naming both; the parent ends.
     */
    @Test
    void aFallbackWaitingForAnAncestorIsRefused() {
        TaskOrchestrator orchestrator = orchestrator();
        for (String runtime : RUNTIMES) {
            CompletableFuture<SpawningTask<String>> parentHandle = new CompletableFuture<>();
            SpawningTask<String> parent = orchestrator.to(String.class).named("parent").runtime(runtime).run(() -> {
                SpawningTask<String> child = TaskContext.current().orElseThrow().child(String.class).named("child")
                        .fallback(error -> refusal(SpawningTask::join, parentHandle.join()))
                        .run(() -> {
                            throw new IOException("boom");
                        });
                return child.result().orElse("child failed");
            });
            parentHandle.complete(parent);
            assertThat(parent.join()).as(runtime).contains("child#").contains("parent#" + parent.id())
                    .doesNotContain("no refusal");
        }
    }

    // ---- 2. an onFinished listener waiting for a task that waits for the one it is told of ----------------

    /**
     * TaskListener: "listeners must not be able to break task execution". A child's onFinished listener
     * joining the child's parent deadlocked the tree: the parent ends only after the child, and the child
     * ends (leaves its parent) only after its listeners return. Refused now, naming both tasks, by every
     * wait of the handle, on every runtime.
     */
    @Test
    void aListenerWaitingForTheParentOfItsTaskIsRefused() {
        CompletableFuture<SpawningTask<?>> parentHandle = new CompletableFuture<>();
        List<String> refusals = new CopyOnWriteArrayList<>();
        AtomicReference<Wait> currentWait = new AtomicReference<>();
        TaskOrchestrator orchestrator = orchestrator(onFinishedOf("child",
                task -> refusals.add(refusal(currentWait.get(), parentHandle.join()))));
        for (String runtime : RUNTIMES) {
            for (Map.Entry<String, Wait> wait : WAITS.entrySet()) {
                currentWait.set(wait.getValue());
                refusals.clear();
                CompletableFuture<SpawningTask<?>> mine = new CompletableFuture<>();
                SpawningTask<String> parent = orchestrator.to(String.class).named("parent").runtime(runtime).run(() -> {
                    mine.join();
                    TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> "c");
                    return "p";
                });
                parentHandle.obtrudeValue(parent);
                mine.complete(parent);
                String what = runtime + ", " + wait.getKey();

                assertThat(parent.join()).as(what).isEqualTo("p");
                assertThat(refusals).as(what).singleElement().asString()
                        .contains("child#").contains("parent#" + parent.id()).doesNotContain("no refusal");
            }
        }
    }

    /** The same for a grandparent; and a listener that lets the refusal escape is logged and skipped. */
    @Test
    void aListenerWaitingForAnAncestorIsRefusedAndTheTreeEnds() {
        CompletableFuture<SpawningTask<?>> rootHandle = new CompletableFuture<>();
        List<String> refusals = new CopyOnWriteArrayList<>();
        TaskOrchestrator orchestrator = orchestrator(
                onFinishedOf("grandchild", task -> refusals.add(refusal(SpawningTask::join, rootHandle.join()))),
                onFinishedOf("grandchild", task -> rootHandle.join().join())); // throws: logged, skipped
        for (String runtime : RUNTIMES) {
            refusals.clear();
            CompletableFuture<SpawningTask<?>> mine = new CompletableFuture<>();
            SpawningTask<String> root = orchestrator.to(String.class).named("root").runtime(runtime).run(() -> {
                mine.join();
                TaskContext.current().orElseThrow().child(String.class).named("child").run(() ->
                        TaskContext.current().orElseThrow().child(String.class).named("grandchild").run(() -> "g").join());
                return "r";
            });
            rootHandle.obtrudeValue(root);
            mine.complete(root);

            assertThat(root.join()).as(runtime).isEqualTo("r");
            assertThat(refusals).as(runtime).singleElement().asString()
                    .contains("grandchild#").contains("root#" + root.id()).doesNotContain("no refusal");
        }
    }

    /**
     * A listener joining a task that waits for the one it is told of: an after(...) dependent, a chain,
     * and a dependent of that dependent start only once the outcome completes, after the listeners.
     * Refused, naming both.
     */
    @Test
    void aListenerWaitingForADependentOfItsTaskIsRefused() {
        Map<String, SpawningTask<?>> dependents = new ConcurrentHashMap<>();
        List<String> refusals = new CopyOnWriteArrayList<>();
        TaskOrchestrator orchestrator = orchestrator(onFinishedOf("first", task -> {
            for (String name : List.of("second", "chained", "third")) {
                refusals.add(name + ": " + refusal(SpawningTask::join, dependents.get(name)));
            }
        }));
        CountDownLatch go = latches.next();
        SpawningTask<String> first = orchestrator.to(String.class).named("first").run(() -> {
            go.await();
            return "1";
        });
        SpawningTask<String> second = orchestrator.to(String.class).named("second").after(first).run(() -> "2");
        SpawningTask<String> chained = first.chain(value -> value + "c");
        SpawningTask<String> third = orchestrator.to(String.class).named("third").after(second).run(() -> "3");
        dependents.put("second", second);
        dependents.put("chained", chained);
        dependents.put("third", third);
        go.countDown();

        assertThat(third.join()).isEqualTo("3");
        assertThat(chained.join()).isEqualTo("1c");
        assertThat(refusals).hasSize(3).allSatisfy(message -> assertThat(message)
                .contains("first#" + first.id()).doesNotContain("no refusal"));
        assertThat(refusals.get(0)).contains("second#" + second.id());
        assertThat(refusals.get(1)).contains("#" + chained.id());
        assertThat(refusals.get(2)).contains("third#" + third.id());
    }

    /**
     * A fallback joining a task that starts only after its own (after(...)): that task starts once the
     * outcome the fallback decides is complete. Refused, naming both.
     */
    @Test
    void aFallbackWaitingForADependentOfItsTaskIsRefused() {
        TaskOrchestrator orchestrator = orchestrator();
        CompletableFuture<SpawningTask<String>> later = new CompletableFuture<>();
        CountDownLatch go = latches.next();
        SpawningTask<String> failing = orchestrator.to(String.class).named("failing")
                .fallback(error -> refusal(SpawningTask::join, later.join()))
                .run(() -> {
                    go.await();
                    throw new IOException("boom");
                });
        SpawningTask<String> dependent = orchestrator.to(String.class).named("dependent").after(failing).run(() -> "d");
        later.complete(dependent);
        go.countDown();

        assertThat(failing.join()).contains("failing#" + failing.id()).contains("dependent#" + dependent.id())
                .doesNotContain("no refusal");
        assertThat(dependent.join()).isEqualTo("d");
    }

    /**
     * What is not refused: a listener waiting for its own task gets the outcome (TaskOutcome's announcer),
     * and one waiting for an unrelated task that can end waits for it.
     */
    @Test
    void aListenerMayWaitForItsOwnTaskAndForUnrelatedTasks() {
        CountDownLatch release = latches.next();
        CompletableFuture<SpawningTask<?>> own = new CompletableFuture<>();
        CompletableFuture<SpawningTask<?>> other = new CompletableFuture<>();
        List<Object> seen = new CopyOnWriteArrayList<>();
        TaskOrchestrator orchestrator = orchestrator(onFinishedOf("told", task -> {
            seen.add(own.join().join());
            release.countDown();
            seen.add(other.join().join());
        }));
        SpawningTask<String> unrelated = orchestrator.to(String.class).named("unrelated").run(() -> {
            release.await();
            return "u";
        });
        other.complete(unrelated);
        CompletableFuture<SpawningTask<?>> mine = new CompletableFuture<>();
        SpawningTask<String> told = orchestrator.to(String.class).named("told").run(() -> {
            mine.join();
            return "t";
        });
        own.complete(told);
        mine.complete(told);

        assertThat(told.join()).isEqualTo("t");
        assertThat(seen).containsExactly("t", "u");
    }

    // ---- 3. a hanging listener and a deadline ---------------------------------------------------------

    /**
     * README "Timeouts, cancellation and what the JDK cannot interrupt": a timeout releases the waiters at
     * the deadline + 100 ms even if the body ignores its interrupt. Not if an onFinished listener (or the
     * fallback) hangs: they run on the thread that ends the task (for a runaway, the deadline's) before its
     * outcome completes, and waiters are released after them (TaskListener.onFinished), so nothing bounds the
     * waiters any more. Documented now (listeners and fallbacks that block delay the waiters, no deadline
     * bounds them); not fixed: releasing the waiters before the listeners return would break the order
     * TaskListener promises (waiters released after the listeners, which read the outcome on the thread).
     */
    @Test
    @Disabled("not fixed: a hanging onFinished listener or fallback keeps the waiters blocked past the deadline;"
            + " the listeners run before the outcome completes, which TaskListener.onFinished promises; documented")
    void aHangingListenerDoesNotKeepWaitersPastTheDeadline() throws Exception {
        CountDownLatch hang = latches.next();
        TaskOrchestrator orchestrator = orchestrator(onFinishedOf("runaway", task -> {
            try {
                hang.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }));
        CountDownLatch never = latches.next();
        SpawningTask<String> task = orchestrator.to(String.class).named("runaway").timeout(Duration.ofMillis(50))
                .run(() -> {
                    while (true) {
                        try {
                            never.await();
                            return "released";
                        }
                        catch (InterruptedException ignored) {
                            // a runaway
                        }
                    }
                });
        try {
            task.get(10, TimeUnit.SECONDS);
        }
        catch (ExecutionException expected) {
            assertThat(expected.getCause()).isInstanceOf(TaskTimeoutException.class);
            return;
        }
        throw new AssertionError("waiter not released with TaskTimeoutException 10 s after a 50 ms deadline");
    }
}
