package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review (2), a probe that holds: a task's outcome keeps one wake for good (never re-armed), but what can be
 * added to it after the wake (toCompletableFuture's futures, after/chain dependents) runs in afterCompletion, whose
 * hook is older than the wake: a callback added between two own threads' joins that joins the second still lets it
 * finish.
 */
@Timeout(60)
class Review10Wake2HoldsTest {

    @RepeatedTest(3)
    void aTaskJoinedByTwoOwnThreadsWithACallbackAddedBetween() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("r1"))
                .runtime(TaskRuntime.single("r2")).build()) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> t = o.to(String.class).named("t").run(() -> {
                go.await();
                return "t";
            });
            AtomicReference<Thread> bThread = new AtomicReference<>();
            SpawningTask<String> b = o.to(String.class).named("b").runtime("r2").run(() -> {
                bThread.set(Thread.currentThread());
                return t.join();
            });
            Review10WakeOrderTest.awaitParked(bThread);
            CountDownLatch addCallback = new CountDownLatch(1);
            CountDownLatch callbackAdded = new CountDownLatch(1);
            AtomicReference<Thread> aThread = new AtomicReference<>();
            SpawningTask<String> a = o.to(String.class).named("a").runtime("r1").run(() -> {
                aThread.set(Thread.currentThread());
                addCallback.countDown();
                callbackAdded.await();
                return t.join();
            });
            assertThat(addCallback.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> callback = t.toCompletableFuture().thenApply(v -> v + a.join());
            callbackAdded.countDown();
            Review10WakeOrderTest.awaitParked(aThread);
            go.countDown();
            assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("t");
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("t");
            assertThat(callback.get(10, TimeUnit.SECONDS)).isEqualTo("tt");
        }
    }
}
