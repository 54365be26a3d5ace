package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of 87916b2d: "a permit granted on that thread [the one inside limiter.acquire] then was granted at once, any
 * other was handed over". Not so: PermitAccounting.acquire, for a HIGH request that displaces a LOW waiter from a full
 * queue, queues the HIGH request and THEN runs the displaced waiter's rejection on the same thread, still inside
 * acquire (Occasional.admitting = this thread). The LOW task's rejection ends it and runs what waits on it; code there
 * that gives a permit back (here: cancelling a task of the group granted but not started) hands the permit over, on this
 * thread, to the HIGH request just queued: taken for "at once", its body is run by the caller-runs executor inline,
 * inside the rejected task's callback, inside the cancel() of the third task: exactly the nesting the fix removes for
 * every other hand-over.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review11FixAdmittingTest {

    private static final ThreadLocal<Boolean> IN_CALLBACK = ThreadLocal.withInitial(() -> false);

    @Test
    void aPermitHandedOverInsideADisplacedWaitersRejectionIsNotRunInline() throws Exception {
        AtomicBoolean inline = new AtomicBoolean();
        List<Runnable> held = new CopyOnWriteArrayList<>();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", r -> {
                    if (inline.get()) {
                        r.run();
                    }
                    else {
                        held.add(r);
                    }
                }))
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 1, Duration.ofSeconds(300)))
                .build();
        try {
            // Y: granted the group's one permit, held by the executor (not started yet)
            SpawningTask<String> y = orchestrator.to(String.class).named("y").group("one").runtime("direct")
                    .detached().run(() -> "y");
            assertThat(held).hasSize(1);
            // L: LOW, waits in the queue (capacity 1)
            SpawningTask<String> l = orchestrator.to(String.class).named("l").group("one").runtime("direct")
                    .priority(TaskPriority.LOW).detached().run(() -> "l");
            assertThat(l.status()).isEqualTo(TaskStatus.QUEUED);
            AtomicReference<Thread> rejectedOn = new AtomicReference<>();
            l.toCompletableFuture().whenComplete((v, e) -> {
                rejectedOn.set(Thread.currentThread());
                IN_CALLBACK.set(true);
                try {
                    y.cancel(); // the application gives up on y once l is refused: y's permit goes back
                }
                finally {
                    IN_CALLBACK.set(false);
                }
            });
            inline.set(true);
            AtomicReference<Thread> xRanOn = new AtomicReference<>();
            AtomicBoolean xInsideCallback = new AtomicBoolean();
            Thread submitting = Thread.currentThread();
            // X: HIGH, displaces L from the full queue
            SpawningTask<String> x = orchestrator.to(String.class).named("x").group("one").runtime("direct")
                    .priority(TaskPriority.HIGH).detached().run(() -> {
                        xRanOn.set(Thread.currentThread());
                        xInsideCallback.set(IN_CALLBACK.get());
                        return "x";
                    });
            assertThat(x.join()).isEqualTo("x");
            System.out.println("submitting " + submitting + "; l's callback on " + rejectedOn.get() + "; x ran on "
                    + xRanOn.get() + ", inside l's callback: " + xInsideCallback.get() + "; l " + l.status()
                    + ", y " + y.status());
            assertThat(l.isDone()).isTrue();
            assertThat(xInsideCallback).as("x's body (handed y's permit) ran inline inside l's rejection callback")
                    .isFalse();
        }
        finally {
            inline.set(true);
            held.forEach(Runnable::run);
            orchestrator.close();
        }
    }
}
