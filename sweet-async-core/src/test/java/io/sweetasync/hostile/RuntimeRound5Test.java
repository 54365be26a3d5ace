package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 5, of SPEC 1.5 and 1.7 (runtimes and deadlines under hostile timing): each test names the
 * promise it attacks. Hangs are bounded (assertTimeoutPreemptively, bounded waits); no timing assertions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeRound5Test {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .runtime(TaskRuntime.platform("two", 2))
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    /**
     * A child cancelled while it waits for its runtime ends on the thread that cancels it: here its parent's body,
     * and the callbacks of the child's {@code toCompletableFuture()} run there. User code (a guest): an interrupt
     * it leaves is no stop of the parent, whose next blocking call must not fail for it.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one" })
    void anInterruptACompletionCallbackLeavesOnItsParentsThreadDoesNotReachTheParent(String runtime) {
        SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).run(() -> {
            SpawningTask<String> child = orchestrator.to(String.class).run(() -> "never"); // queued behind its parent
            child.toCompletableFuture().whenComplete((value, error) -> Thread.currentThread().interrupt());
            child.cancel();
            boolean interrupted = Thread.currentThread().isInterrupted();
            Thread.sleep(1); // a blocking call
            return child.status() + ", interrupted: " + interrupted;
        });
        assertThat(assertTimeoutPreemptively(HANG, parent::result)).isEqualTo(TaskResult.ok("CANCELLED, interrupted: false"));
    }

    /**
     * The other way round: a parent cancelled (its stop's interrupt pending) cancels its queued child, whose
     * completion callback, run on the parent's thread, swallows the interrupt. The stop must still reach the parent
     * body, else it blocks on, holding the runtime's only slot.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one" })
    void aStopACompletionCallbackSwallowsOnItsParentsThreadStillReachesTheParent(String runtime) throws Exception {
        CountDownLatch never = latches.next();
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        CountDownLatch handed = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>("not run");
        SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).run(() -> {
            handed.await();
            SpawningTask<String> child = orchestrator.to(String.class).run(() -> "never");
            child.toCompletableFuture().whenComplete((value, error) -> Thread.interrupted());
            self.get().cancel(); // its own stop: the interrupt is pending now
            child.cancel();
            try {
                never.await(10, TimeUnit.SECONDS);
                seen.set("waited on");
            }
            catch (InterruptedException ex) {
                seen.set("interrupted");
            }
            return "returned";
        });
        self.set(parent);
        handed.countDown();
        assertThat(assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class).runtime(runtime).await(() -> "next")))
                .isEqualTo("next");
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(seen.get()).isEqualTo("interrupted");
    }
}
