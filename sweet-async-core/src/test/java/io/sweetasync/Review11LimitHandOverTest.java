package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A permit given back as an attempt ends is handed to the next waiter on the same thread (HandOver): with a
 * caller-runs executor of the user's (which the engine supports: LimitsHostileGroupTest.aLongQueueOnACallerRunsExecutorIsServedWholly)
 * the waiter's body runs inline, inside TaskAttempts.afterAttempt of the task that gave the permit back, which
 * releases the permit BEFORE it records its own body's value (bodyReturned). So the releasing task's end waits for
 * an unrelated task's whole body; and a body that waits for the releasing task (no cycle in the user's terms: A
 * waits for nothing) waits for ever, as A cannot end until B returns.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review11LimitHandOverTest {

    @Test
    void aTaskWhosePermitIsHandedToACallerRunsWaiterStillEndsWithoutWaitingForThatWaiter() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(300)))
                .build();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> a = orchestrator.to(String.class).named("a").group("one").run(() -> {
                holding.countDown();
                release.await();
                return "a";
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<String> seen = new AtomicReference<>();
            SpawningTask<String> b = orchestrator.to(String.class).named("b").group("one").runtime("direct")
                    .detached().timeout(Duration.ofSeconds(30))
                    .run(() -> {
                        // B waits for A: A waits for nothing, so this must end with A's value.
                        seen.set(a.join());
                        return "b";
                    });
            assertThat(b.status()).isEqualTo(TaskStatus.QUEUED);
            release.countDown();
            CompletableFuture<TaskResult<String>> aEnd = CompletableFuture.supplyAsync(a::result);
            TaskResult<String> aResult = null;
            try {
                aResult = aEnd.get(20, TimeUnit.SECONDS);
            }
            catch (java.util.concurrent.TimeoutException stuck) {
                // fall through: reported below
            }
            TaskResult<String> bResult = b.result();
            // README: a body run nested on another's thread "may not wait for that task or its ancestors (refused at
            // once: they go on only once it returns)". Either B sees A's value, or its wait is refused at once; it
            // must not hang until its own deadline while A cannot end.
            boolean bEndedByItsDeadline = bResult instanceof TaskResult.Err<String>(AsyncTaskException e)
                    && e instanceof TaskTimeoutException;
            assertThat("a: " + (aResult == null ? "not ended 20 s after its body returned" : aResult)
                    + "; b ended by its 30 s deadline: " + bEndedByItsDeadline + " (b saw " + seen.get() + ")")
                    .isEqualTo("a: " + new TaskResult.Ok<>("a") + "; b ended by its 30 s deadline: false (b saw "
                            + (bResult.isOk() ? "a" : "null") + ")");
        }
        finally {
            orchestrator.close();
        }
    }

    /**
     * The same hand-over from a suspend: a body that joins its child gives its permit back for the wait
     * (TaskRuntime.managedBlock), and the queued caller-runs task's whole body ran inline, on the joining body's
     * thread, inside the join: the HIGH body's join returned only once the LOW task's body had (README: "A waiter takes
     * no queued work onto its own stack ... its deadline and priority depend only on what it waits for").
     */
    @Test
    void aJoinThatLendsItsPermitDoesNotRunTheNextHoldersBodyInsideTheJoin() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(300)))
                .build();
        try {
            CountDownLatch bQueued = new CountDownLatch(1);
            CountDownLatch aJoined = new CountDownLatch(1);
            SpawningTask<String> a = orchestrator.to(String.class).named("a").group("one").priority(TaskPriority.HIGH)
                    .run(() -> {
                        assertThat(bQueued.await(10, TimeUnit.SECONDS)).isTrue();
                        Thread aThread = Thread.currentThread();
                        SpawningTask<String> child = TaskContext.current().orElseThrow().runChild(() -> {
                            // ends once A's thread waits (in its join, or in B's body run inside it)
                            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                            while (aThread.getState() == Thread.State.RUNNABLE && System.nanoTime() < until) {
                                Thread.sleep(1);
                            }
                            return "c";
                        });
                        child.join();
                        aJoined.countDown();
                        return "a";
                    });
            // B's body waits for A's join to return: run inside that join (on A's thread), it waits in vain for 20 s
            // and A's join returns only after it.
            SpawningTask<Boolean> b = orchestrator.to(Boolean.class).named("b").group("one").runtime("direct")
                    .priority(TaskPriority.LOW).detached().run(() -> aJoined.await(20, TimeUnit.SECONDS));
            assertThat(b.status()).isEqualTo(TaskStatus.QUEUED);
            bQueued.countDown();
            assertThat(a.join()).isEqualTo("a");
            assertThat(b.join()).as("the LOW body saw the HIGH body's join return (it did not run inside it)").isTrue();
        }
        finally {
            orchestrator.close();
        }
    }
}
