package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code shutdown(grace)} returns once the ends of the trees it waited for are fully recorded, their
 * {@code onFinished} listeners called: a root leaves the live registry before its listeners are called, and the
 * drain, which read the registry alone, returned when a look fell between the two (woken by another root's end,
 * or its first look after the cancel on a loaded machine). A caller told of its trees by a listener (the
 * starter's shutdown warning) then missed one.
 */
@Timeout(60)
class DrainWaitsForListenersTest {

    @Test
    void shutdownReturnsAfterTheListenersOfTheTreesItCancelledHaveHeard() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
        try {
            AtomicReference<SpawningTask<Integer>> other = new AtomicReference<>();
            AtomicBoolean returned = new AtomicBoolean();
            Set<String> heard = ConcurrentHashMap.newKeySet();
            orchestrator.addListener(new TaskListener() { // first: slow to let the others hear of "slow"
                @Override
                public void onFinished(TaskInfo task) {
                    if (task.path().startsWith("slow")) {
                        other.get().result(); // "quick" has ended: the drain was woken by its end
                        // Held until shutdown returns (bounded: fixed, shutdown waits for this call)
                        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                        while (!returned.get() && System.nanoTime() - until < 0) {
                            LockSupport.parkNanos(1_000_000);
                        }
                    }
                }
            });
            orchestrator.addListener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    heard.add(task.path().replaceAll("#.*", ""));
                }
            });
            sleeper(orchestrator, "slow");
            other.set(sleeper(orchestrator, "quick"));

            boolean drained = orchestrator.shutdown(Duration.ofMillis(100));
            List<String> heardAtReturn = List.copyOf(heard);
            returned.set(true);

            assertThat(drained).isFalse();
            assertThat(heardAtReturn).as("the trees shutdown cancelled, heard of by the time it returned")
                    .containsExactlyInAnyOrder("slow", "quick");
        }
        finally {
            orchestrator.close();
        }
    }

    /** A root's own onFinished listener shutting down does not wait for that root's end to be recorded. */
    @Test
    void aRootsListenerShuttingDownDoesNotWaitForItsOwnEnd() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
        try {
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            orchestrator.addListener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    if (task.path().startsWith("last")) {
                        answer.complete(orchestrator.shutdown(Duration.ofDays(1)));
                    }
                }
            });
            orchestrator.to(Integer.class).named("last").run(() -> 1);
            assertThat(answer.get(30, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            orchestrator.close();
        }
    }

    private static SpawningTask<Integer> sleeper(TaskOrchestrator orchestrator, String name) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named(name).run(() -> {
            started.countDown();
            Thread.sleep(Long.MAX_VALUE);
            return 1;
        });
        started.await();
        return task;
    }
}
