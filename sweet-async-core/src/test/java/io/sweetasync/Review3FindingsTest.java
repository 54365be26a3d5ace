package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of b0fcc393 (derived futures' origin, MinimalStage, the SINGLE spare that leaves the next task to the own
 * thread). Each test states what the JDK (or the runtime's contract) does, and fails on b0fcc393. (Its tests of a
 * derived future completed by other means than its task, refused from within the task, became the documented rule:
 * DerivedFutureOriginTest.)
 */
@Timeout(60)
class Review3FindingsTest {

    /** Runs {@code body} as a task's body with its own handle; returns what it returned, or the failure's text. */
    private static String inOwnBody(Function<SpawningTask<String>, String> body) throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
            SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
                SpawningTask<String> self = handle.get();
                try {
                    return body.apply(self);
                }
                catch (RuntimeException ex) {
                    return "threw " + ex;
                }
            });
            handle.complete(task);
            return task.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The commit says orTimeout/completeOnTimeout forget the task, but TaskFuture overrides both without calling
     * ManagedFuture's: a future derived from a task's future that times out is still refused (a regression:
     * before b0fcc393 a derived future was never refused).
     */
    @Test
    void aFutureDerivedFromATimedTaskFutureIsNotRefused() throws Exception {
        String got = inOwnBody(self -> {
            String late = self.toCompletableFuture().completeOnTimeout("late", 10, TimeUnit.MILLISECONDS)
                    .thenApply(value -> value).join();
            Throwable timedOut = catchThrowable(() -> self.toCompletableFuture().orTimeout(10, TimeUnit.MILLISECONDS)
                    .thenApply(value -> value).join());
            return late + "," + (timedOut instanceof CompletionException && timedOut.getCause() instanceof TimeoutException
                    ? "timeout" : String.valueOf(timedOut));
        });
        assertThat(got).isEqualTo("late,timeout");
    }

    /**
     * MinimalStage keeps its task in a final field ({@code from}) that newIncompleteFuture() and
     * toCompletableFuture() use: an either-variant of a minimal stage is freed, and the very next stage or
     * toCompletableFuture() takes the task back. JDK: completes with "other" once the other stage does.
     */
    @Test
    void anEitherVariantOfAMinimalStageIsNotRefused() throws Exception {
        String got = inOwnBody(self -> {
            CompletionStage<String> minimal = self.toCompletableFuture().minimalCompletionStage();
            CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> "other",
                    CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
            return minimal.applyToEither(other, value -> value).toCompletableFuture().join();
        });
        assertThat(got).isEqualTo("other");
    }

    /**
     * SINGLE: the own thread H waits (managed) on a task's future F; a spare stands in. F completes on X's thread,
     * whose postComplete runs F's dependents LIFO: a whenComplete registered after H began to wait runs before H's
     * Signaller is released. Meanwhile F is done, so the spare sees H's blocker releasable and refuses every
     * queued task until H wakes, which it cannot before that callback returns. If the callback waits for a task
     * queued on the single runtime (here for 3 s; without a bound for ever), nothing runs it: a deadlock. Before
     * b0fcc393 the spare ran it at once.
     */
    @Test
    void aSpareDoesNotStarveQueuedWorkWhileTheOwnThreadCannotWakeYet() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch qRan = new CountDownLatch(1);
            AtomicBoolean qRanInTime = new AtomicBoolean();
            SpawningTask<String> x = orchestrator.to(String.class).named("x").run(() -> {
                go.await();
                return "x";
            });
            CompletableFuture<String> f = x.toCompletableFuture();
            SpawningTask<String> p = orchestrator.to(String.class).named("p").runtime("single").run(() -> {
                waiting.countDown();
                return f.join();
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // p's thread is in f's wait (its Signaller pushed on f)
            f.whenComplete((value, error) -> {
                inCallback.countDown();
                try {
                    qRanInTime.set(qRan.await(3, TimeUnit.SECONDS));
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            go.countDown();
            assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> q = orchestrator.to(String.class).named("q").runtime("single").run(() -> {
                qRan.countDown();
                return "q";
            });
            assertThat(p.get(20, TimeUnit.SECONDS)).isEqualTo("x");
            assertThat(q.get(20, TimeUnit.SECONDS)).isEqualTo("q");
            assertThat(qRanInTime).as("q, queued on single while p's thread could not wake yet, ran within 3 s").isTrue();
        }
    }

    /**
     * As above, the completing thread being the spare itself, and the callback waiting as the README says to (a
     * managed wait: {@code q.get(timeout)}): p (single) joins its child c's future; c runs on the spare and
     * registers a callback on that future (after p's Signaller); c's end completes the future on the spare, whose
     * postComplete runs the callback before it wakes p. The callback's managed wait starts a second spare, which
     * sees p's blocker releasable and leaves q, queued on single, to p's thread: which cannot wake before the
     * callback returns. With an unbounded q.join() this is a deadlock. Before b0fcc393 the second spare ran q.
     */
    @Test
    void aManagedWaitInACallbackOnTheSpareStillGetsAThread() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AtomicReference<CompletableFuture<String>> childFuture = new AtomicReference<>();
            CompletableFuture<SpawningTask<String>> qHandle = new CompletableFuture<>();
            CountDownLatch inCallback = new CountDownLatch(1);
            AtomicReference<String> inTime = new AtomicReference<>("callback never ran");
            SpawningTask<String> p = orchestrator.to(String.class).named("p").runtime("single").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                SpawningTask<String> c = context.child(String.class).named("c").run(() -> {
                    Thread.sleep(200); // p's thread is parked in the child's future's wait
                    childFuture.get().whenComplete((value, error) -> {
                        inCallback.countDown();
                        try {
                            inTime.set(qHandle.get(10, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS));
                        }
                        catch (Exception ex) {
                            inTime.set(ex.toString());
                        }
                    });
                    return "c";
                });
                childFuture.set(c.toCompletableFuture());
                return childFuture.get().join();
            });
            assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
            qHandle.complete(orchestrator.to(String.class).named("q").runtime("single").run(() -> "q"));
            assertThat(p.get(20, TimeUnit.SECONDS)).isEqualTo("c");
            assertThat(inTime.get()).as("q waited for from c's future's callback, on the spare").isEqualTo("q");
        }
    }
}
