package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code single} runtime's own thread woken from a wait may not leave it at once: {@code CompletableFuture}'s
 * {@code get()}/{@code join()} end by running the awaited future's remaining dependents on the waiter's stack, and
 * one of them may wait for a task queued on the same runtime. The spare that stood in for the wait must still run that
 * task (it leaves the next task to the waking own thread for a grace at most, never for as long as the thread has been
 * woken: a woken thread may be held inside its wait by such a callback). A design that left it indefinitely (a wake
 * mark on the awaited future) hung here in 5 of 6 runs, and left a mark per interrupted wait on the future.
 */
@Timeout(30)
class OwnThreadHelpedCallbackTest {

    /** The woken own thread (most runs) or the completing spare runs the callback that joins b2: b2 runs either way. */
    @RepeatedTest(5)
    void aCallbackRunByTheWokenOwnThreadMayJoinATaskQueuedOnItsRuntime() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            SpawningTask<String> a = o.to(String.class).named("a").runtime("single").run(() -> {
                TaskContext c = TaskContext.current().orElseThrow();
                SpawningTask<String> b1 = c.child(String.class).named("b1").run(() -> {
                    Thread.sleep(50);
                    return "b1";
                });
                SpawningTask<String> b2 = c.child(String.class).named("b2").run(() -> "b2"); // queued behind b1
                CompletableFuture<String> f = b1.toCompletableFuture();
                CompletableFuture<String> older = f.thenApply(v -> v + b2.join()); // run after the waiter's signal
                f.whenComplete((v, e) -> { // newer: the completing spare sleeps in it, the woken own thread pops `older`
                    try {
                        Thread.sleep(300);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                });
                f.get();
                return older.join();
            });
            assertThat(a.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("b1b2");
        }
    }

    /** A waiter cancelled by an interrupt leaves nothing behind on the future it waited for. */
    @Test
    void interruptedUntimedWaitsOfTheOwnThreadLeaveNothingOnTheAwaitedFuture() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            ManagedFuture<String> never = new ManagedFuture<>();
            int n = 10_000;
            SpawningTask<Integer> a = o.to(Integer.class).named("a").runtime("single").run(() -> {
                for (int i = 0; i < n; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        never.get();
                    }
                    catch (InterruptedException expected) {
                        // as a cancelled waiter's
                    }
                }
                return never.getNumberOfDependents();
            });
            assertThat(a.toCompletableFuture().get(20, TimeUnit.SECONDS)).as("dependents left by interrupted waits")
                    .isLessThanOrEqualTo(1);
        }
    }
}
