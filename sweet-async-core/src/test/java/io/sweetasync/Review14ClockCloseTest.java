package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A timeout bounds the caller also when the orchestrator closes first: close() cancels the task, gives its body
 * 5 s, then closes its clock, which dropped the pending deadline. A task with an 8 s timeout whose body ignores
 * its interrupt then stayed {@code RUNNING}, its waiters held, for as long as the body ran (60 s and more). Here
 * close() gives the bodies 200 ms instead of its 5 s ({@link #shortCloseWait}): these bodies never return when
 * cancelled, so what follows the wait is the same, however long it is.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review14ClockCloseTest {

    private static final long HARD_STOP_NANOS = TimeUnit.SECONDS.toNanos(150);

    private final AtomicBoolean releaseBodies = new AtomicBoolean();

    @AfterEach
    void release() {
        releaseBodies.set(true);
    }

    /** {@code orchestrator}, whose close() waits 200 ms for bodies to return after its cancel. */
    private static TaskOrchestrator shortCloseWait(TaskOrchestrator orchestrator) {
        orchestrator.parts().shutdown.afterCancelNanos = TimeUnit.MILLISECONDS.toNanos(200);
        return orchestrator;
    }

    private String ignoreInterrupts(CountDownLatch started) {
        started.countDown();
        long start = System.nanoTime();
        while (!releaseBodies.get() && System.nanoTime() - start < HARD_STOP_NANOS) {
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException ignored) {
                // as a driver that swallows it
            }
        }
        return "body";
    }

    @Test
    void waitersOfATimedTaskWhoseBodyIgnoresItsInterruptAreReleasedAfterClose() throws Exception {
        TaskOrchestrator orchestrator = shortCloseWait(
                TaskOrchestrator.builder().runtime(TaskRuntime.platform("pool", 2)).build());
        CountDownLatch started = new CountDownLatch(3);
        List<SpawningTask<String>> timed = new ArrayList<>();
        for (String runtime : List.of("pool", "virtual")) {
            timed.add(orchestrator.to(String.class).named("stubborn-" + runtime).runtime(runtime)
                    .timeout(Duration.ofSeconds(8)).run(() -> ignoreInterrupts(started)));
        }
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").timeout(Duration.ofSeconds(8))
                .run(() -> {
                    TaskContext.current().orElseThrow().runChild(() -> ignoreInterrupts(started));
                    return "parent";
                });
        timed.add(parent);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        orchestrator.close();
        for (SpawningTask<String> task : timed) {
            CountDownLatch ended = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                task.result();
                ended.countDown();
            });
            // the bodies run for 150 s at most: released by the deadline (8 s) or at close, long before
            assertThat(ended.await(60, TimeUnit.SECONDS)).as("%s: waiters released (%s)", task.name(), task.status())
                    .isTrue();
            assertThat(task.status().isTerminal()).isTrue();
            assertThat(releaseBodies.get()).isFalse();
        }
        assertThat(parent.status()).isIn(TaskStatus.CANCELLED, TaskStatus.TIMED_OUT);
    }

    @Test
    void aTaskWithoutATimeoutStillEndsWhenItsBodyReturns() throws Exception {
        TaskOrchestrator orchestrator = shortCloseWait(TaskOrchestrator.builder().build());
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<String> untimed = orchestrator.to(String.class).named("untimed")
                .run(() -> ignoreInterrupts(started));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        orchestrator.close();
        assertThat(untimed.status()).isEqualTo(TaskStatus.RUNNING); // as the README says: until its body returns
        releaseBodies.set(true);
        assertThat(untimed.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(untimed.status()).isEqualTo(TaskStatus.CANCELLED);
    }
}
