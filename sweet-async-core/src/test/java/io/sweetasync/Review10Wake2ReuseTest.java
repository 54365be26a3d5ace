package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review (2) of the re-arm rule of a managed future's wake ({@code OwnWake.usableWith}): a wait of an own thread
 * reuses the future's wake, older than a callback added since, in two cases the rule lets through; the callback joins
 * that own thread's task, runs first on the completing thread, and the wake never fires: the own thread stays parked
 * although its future completed. On platform runtimes each wait pushes a fresh waiter, newer than the callback: both
 * finish.
 */
@Timeout(60)
class Review10Wake2ReuseTest {

    /**
     * "someone waits through it": another single runtime's own thread waits through the wake, armed before the
     * callback; this own thread's (first) wait then reuses it, though the callback is newer.
     */
    @ParameterizedTest
    @ValueSource(strings = {"platform", "single"})
    void aWaitJoiningAWakeAnotherOwnThreadWaitsThroughIsNotOlderThanACallbackAddedSince(String kind) throws Exception {
        TaskRuntime r1 = kind.equals("single") ? TaskRuntime.single("r1") : TaskRuntime.platform("r1", 1);
        TaskRuntime r2 = kind.equals("single") ? TaskRuntime.single("r2") : TaskRuntime.platform("r2", 1);
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(r1).runtime(r2).build()) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> t = o.to(String.class).named("t").run(() -> { // virtual runtime
                go.await();
                return "t";
            });
            CompletableFuture<String> f = t.toCompletableFuture();
            AtomicReference<Thread> bThread = new AtomicReference<>();
            SpawningTask<String> b = o.to(String.class).named("b").runtime("r2").run(() -> {
                bThread.set(Thread.currentThread());
                return f.get(); // arms the wake and waits through it
            });
            Review10WakeOrderTest.awaitParked(bThread);
            CountDownLatch addCallback = new CountDownLatch(1);
            AtomicReference<Thread> aThread = new AtomicReference<>();
            CountDownLatch callbackAdded = new CountDownLatch(1);
            SpawningTask<String> a = o.to(String.class).named("a").runtime("r1").run(() -> {
                aThread.set(Thread.currentThread());
                addCallback.countDown();
                callbackAdded.await();
                return f.get(); // reuses b's wake: older than the callback
            });
            assertThat(addCallback.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> callback = f.thenApply(v -> v + a.join()); // newer than the wake
            callbackAdded.countDown();
            Review10WakeOrderTest.awaitParked(aThread);
            go.countDown();
            assertThat(a.get(10, TimeUnit.SECONDS)).as("a, on " + kind).isEqualTo("t");
            assertThat(b.get(10, TimeUnit.SECONDS)).as("b, on " + kind).isEqualTo("t");
            assertThat(callback.handle((v, e) -> v).get(10, TimeUnit.SECONDS)).isIn("tt", null);
        }
    }

    /**
     * "the future gained no dependent since": counted, and the count goes down when another thread's timed wait ends
     * (its Signaller is cleaned from the future): a callback added then brings the count back to what the wake was
     * armed among, and the own thread's second wait reuses the older wake.
     */
    @ParameterizedTest
    @ValueSource(strings = {"platform", "single"})
    void aCallbackAddedAfterAnotherWaiterLeftIsNotRunBeforeTheReusedWake(String runtime) throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> t = o.to(String.class).named("t").run(() -> { // virtual runtime
                go.await();
                return "t";
            });
            CompletableFuture<String> f = t.toCompletableFuture();
            Thread other = Thread.ofPlatform().daemon().start(() -> { // another thread waits, and gives up
                try {
                    f.get(30, TimeUnit.SECONDS);
                }
                catch (Exception gaveUp) {
                    // interrupted
                }
            });
            while (f.getNumberOfDependents() < 1) {
                Thread.onSpinWait();
            }
            AtomicReference<Thread> own = new AtomicReference<>();
            CountDownLatch firstWaitOver = new CountDownLatch(1);
            CountDownLatch callbackAdded = new CountDownLatch(1);
            SpawningTask<String> w = o.to(String.class).named("w").runtime(runtime).run(() -> {
                own.set(Thread.currentThread());
                try {
                    f.get(1, TimeUnit.MILLISECONDS); // first wait: arms the wake among 2 dependents
                }
                catch (TimeoutException expected) {
                    // t waits for go
                }
                firstWaitOver.countDown();
                callbackAdded.await();
                return f.get(); // second wait
            });
            assertThat(firstWaitOver.await(10, TimeUnit.SECONDS)).isTrue();
            other.interrupt(); // its waiter leaves the future: one dependent fewer
            other.join(10_000);
            CompletableFuture<String> callback = f.thenApply(v -> v + w.join()); // newer than the wake
            callbackAdded.countDown();
            Review10WakeOrderTest.awaitParked(own);
            go.countDown();
            assertThat(w.get(10, TimeUnit.SECONDS)).as("w, on " + runtime).isEqualTo("t");
            assertThat(callback.handle((v, e) -> v).get(10, TimeUnit.SECONDS)).isIn("tt", null);
        }
    }
}
