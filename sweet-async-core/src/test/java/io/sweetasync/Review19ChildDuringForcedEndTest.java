package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.hostile.Latches;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A parent is never terminal before a child of it. A task whose deadline passed and whose body ignores the stop is
 * ended at once with its unfinished subtree, children first (the forced end); its body, still running, could start a
 * child after the forced end had listed the subtree and before it ended the task: that child, not in the list, ended
 * after its parent (seen under load in a randomised test, {@code Hunt4Test}: "child k1 CANCELLED finished after
 * parent"). Here the window is held open deterministically: the forced end runs a listener of the first child it
 * ends, which lets the parent's body start a child and waits until that child is registered; the child's
 * {@code onCreated} (after its registration, before it is stopped) then waits for its parent's end, up to 5 s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review19ChildDuringForcedEndTest {

    private final Latches latches = new Latches();
    private final Map<String, Long> finishedAt = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final CountDownLatch go = latches.next();
    private final CountDownLatch added = latches.next();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
        @Override
        public void onCreated(TaskInfo task) {
            if (task.name().equals("late-child")) {
                // registered as its parent's child, not yet stopped: the forced end goes on meanwhile
                added.countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!finishedAt.containsKey("parent") && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void onFinished(TaskInfo task) {
            finishedAt.put(task.name(), sequence.incrementAndGet());
            if (task.name().equals("stubborn-child")) {
                // on the forced end's thread, between its listing of the tree and the parent's end
                go.countDown();
                try {
                    added.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }).build();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    @Test
    void aChildStartedByARunawayBodyDuringItsForcedEndNeverEndsAfterIt() throws Exception {
        CountDownLatch never = latches.next();
        AtomicReference<SpawningTask<String>> late = new AtomicReference<>();
        AtomicReference<IllegalStateException> refused = new AtomicReference<>();
        CompletableFuture<Void> bodyDone = new CompletableFuture<>();
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").timeout(Duration.ofMillis(50))
                .run(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    ctx.child(String.class).named("stubborn-child").run(() -> {
                        Latches.awaitIgnoringInterrupts(never); // a runaway: ended by the forced end
                        return "never";
                    });
                    Latches.awaitIgnoringInterrupts(go); // the parent's body ignores its stop too
                    try {
                        late.set(ctx.child(String.class).named("late-child").run(() -> "late"));
                    }
                    catch (IllegalStateException ex) {
                        refused.set(ex);
                    }
                    finally {
                        added.countDown();
                        bodyDone.complete(null);
                    }
                    return "parent";
                });
        TaskResult<String> result = CompletableFuture.supplyAsync(parent::result).get(60, TimeUnit.SECONDS);
        assertThat(result.isOk()).isFalse();
        assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
        bodyDone.get(60, TimeUnit.SECONDS);
        if (refused.get() != null) {
            assertThat(refused.get()).hasMessageContaining("late-child").hasMessageContaining("parent");
            return;
        }
        SpawningTask<String> child = late.get();
        assertThat(child).isNotNull();
        CompletableFuture.supplyAsync(child::result).get(60, TimeUnit.SECONDS);
        assertThat(finishedAt.get("late-child")).as("the late child's end (%s) before its parent's (%s)",
                finishedAt.get("late-child"), finishedAt.get("parent")).isLessThan(finishedAt.get("parent"));
    }
}
