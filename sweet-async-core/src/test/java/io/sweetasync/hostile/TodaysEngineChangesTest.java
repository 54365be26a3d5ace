package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the engine changes of one day (the carrier's enclosing bodies, the drain left by user code,
 * runaways counted per thread, a lost cancel of {@code toCompletableFuture()}): each test names what it attacks.
 * Hangs are bounded; no timing assertions.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TodaysEngineChangesTest {

    private static final int LONG_CHAIN = 100_000;
    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    /**
     * Trampoline: a chain of dependents on a caller-runs executor runs each body on the thread that ended its
     * upstream, as a terminal action of the drain. The body is user code and leaves the drain; its task's own end
     * must go back into it, else starting the next dependent is a recursion per level, not a loop.
     */
    @Test
    void valuesPassDownAHundredThousandChainedTasksOnACallerRunsExecutorInConstantStack() {
        CountDownLatch go = latches.next();
        SpawningTask<Integer> gate = orchestrator.to(Integer.class).runtime("one").run(() -> {
            go.await();
            return 0;
        });
        SpawningTask<Integer> last = orchestrator.to(Integer.class).runtime("direct").after(gate).run(() -> 1);
        for (int i = 0; i < LONG_CHAIN; i++) {
            last = last.chain(value -> value + 1);
        }
        go.countDown();
        SpawningTask<Integer> end = last;
        await().atMost(Duration.ofSeconds(60)).until(end::isDone);
        assertThat(end.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(end.join()).isEqualTo(LONG_CHAIN + 1);
    }

    /**
     * Trampoline: a caller-runs executor's dependent runs its whole attempt outside the drain that started it, its
     * end too. Here a dependent ends, as a terminal action, on the thread of a drain that starts two dependents of
     * it: the first's end starts a task the second's body waits for. Were the first's end put back into that drain
     * (queued behind the second's start), the second's body would wait for ever on that very thread.
     */
    @Test
    void aCallerRunsBodyMayWaitForWhatAnEarlierSiblingsEndStarted() {
        CountDownLatch go = latches.next();
        SpawningTask<String> gate = orchestrator.to(String.class).runtime("one").run(() -> {
            go.await();
            return "gate";
        });
        SpawningTask<String> relay = orchestrator.to(String.class).runtime("direct").after(gate).run(() -> "relay");
        SpawningTask<String> first = orchestrator.to(String.class).runtime("direct").after(relay).run(() -> "first");
        SpawningTask<String> started = orchestrator.to(String.class).runtime("one").after(first).run(() -> "started");
        SpawningTask<String> second = orchestrator.to(String.class).runtime("direct").after(relay)
                .run(() -> "saw " + started.join());
        go.countDown();
        assertThat(assertTimeoutPreemptively(HANG, () -> second.toCompletableFuture().get())).isEqualTo("saw started");
    }

    /**
     * Trampoline: user code run by a terminal action (here a completion callback of toCompletableFuture()) runs
     * outside the drain, so what it causes runs at once, in a drain of its own. Callbacks that each cancel the next
     * task, 100,000 of them, stacked one drain per task: the stack overflowed part way, and the tasks after stayed
     * pending (bbe8da7, where callbacks ran inside the drain, ended them all).
     */
    @Test
    void callbacksThatEachCancelTheNextTaskCancelAHundredThousandTasksInConstantStack() {
        CountDownLatch never = latches.next();
        SpawningTask<String> gate = orchestrator.to(String.class).runtime("one").run(() -> {
            never.await();
            return "gate";
        });
        SpawningTask<String> first = orchestrator.to(String.class).after(gate).run(() -> "never");
        SpawningTask<String> last = first;
        for (int i = 0; i < LONG_CHAIN; i++) {
            SpawningTask<String> next = orchestrator.to(String.class).after(gate).run(() -> "never");
            last.toCompletableFuture().whenComplete((value, error) -> next.cancel());
            last = next;
        }
        assertThat(first.cancel()).isTrue();
        SpawningTask<String> end = last;
        await().atMost(Duration.ofSeconds(60)).until(end::isDone);
        assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(gate.status()).isEqualTo(TaskStatus.RUNNING);
    }

    /**
     * TaskFuture: a cancel that loses to a decided end makes {@code isDone()} true before the future completes (its
     * task's onFinished listener still runs). {@code CompletableFuture}'s own {@code orTimeout} and
     * {@code completeOnTimeout} check {@code isDone()} when the time is up, and did nothing: the future stayed
     * pending for as long as the listener ran, the bound the caller set ignored.
     */
    @Test
    void orTimeoutStillBoundsAFutureWhoseCancelLost() {
        CountDownLatch hold = latches.next();
        CompletableFuture<String> future = futureWhoseCancelLost(hold);
        CompletableFuture<String> bounded = future.orTimeout(1, TimeUnit.MILLISECONDS);
        assertThat(bounded).isSameAs(future);
        Throwable cause = assertTimeoutPreemptively(HANG, () -> {
            try {
                bounded.get();
                return null;
            }
            catch (ExecutionException ex) {
                return ex.getCause();
            }
        });
        assertThat(cause).isInstanceOf(TimeoutException.class);
    }

    @Test
    void completeOnTimeoutStillCompletesAFutureWhoseCancelLost() {
        CountDownLatch hold = latches.next();
        CompletableFuture<String> future = futureWhoseCancelLost(hold);
        assertThat(assertTimeoutPreemptively(HANG, () -> future.completeOnTimeout("late", 1, TimeUnit.MILLISECONDS).join()))
                .isEqualTo("late");
    }

    /** A future of toCompletableFuture() whose cancel lost: its task's onFinished listener waits for {@code hold}. */
    private CompletableFuture<String> futureWhoseCancelLost(CountDownLatch hold) {
        CountDownLatch listening = new CountDownLatch(1);
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("held")) {
                    listening.countDown();
                    Latches.awaitIgnoringInterrupts(hold);
                }
            }
        });
        CountDownLatch go = latches.next();
        SpawningTask<String> task = orchestrator.to(String.class).named("held").runtime("one").run(() -> {
            go.await();
            return "value";
        });
        CompletableFuture<String> future = task.toCompletableFuture();
        go.countDown();
        assertTimeoutPreemptively(HANG, () -> listening.await());
        assertThat(future.cancel(true)).isFalse();
        assertThat(future.isDone()).isTrue();
        return future;
    }
}
