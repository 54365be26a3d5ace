package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link TaskInfo} read while its task ends is one moment's view: a live status never comes with an end
 * time, a terminal one always with its end time and, unless COMPLETED, its failure (SPEC 1.3, 1.9); and a
 * root ending is found by {@code find(id)} all along.
 */
class SnapshotConsistencyTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final int TASKS = 200;
    private static final int ROOTS = 250;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("two", 2)).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aSnapshotTakenWhileItsTaskEndsIsConsistentWithItsStatus() {
        Set<String> broken = ConcurrentHashMap.newKeySet();
        assertTimeoutPreemptively(HANG, () -> {
            for (int i = 0; i < TASKS; i++) {
                CountDownLatch go = new CountDownLatch(1);
                boolean fails = i % 2 == 0;
                SpawningTask<String> task = orchestrator.to(String.class).runtime("two").run(() -> {
                    go.await();
                    if (fails) {
                        throw new IOException("down");
                    }
                    return "up";
                });
                readWhileItEnds(go, task, () -> {
                    TaskInfo seen = task.info();
                    String why = inconsistency(seen);
                    if (why != null) {
                        broken.add(why + ": " + seen + " ended " + seen.completedAt() + " failure "
                                + seen.failure());
                    }
                    return seen.status().isTerminal();
                });
                assertThat(inconsistency(task.info())).isNull();
            }
        });
        assertThat(broken).as("snapshots that contradict their own status").isEmpty();
    }

    /** {@code find(id)} of a root is never empty while the root moves from the live trees to the history (SPEC 1.9). */
    @Test
    void aRootIsFoundWhileItEnds() {
        AtomicInteger lost = new AtomicInteger();
        assertTimeoutPreemptively(HANG, () -> {
            for (int i = 0; i < ROOTS; i++) {
                CountDownLatch go = new CountDownLatch(1);
                SpawningTask<String> root = orchestrator.to(String.class).runtime("two").run(() -> {
                    go.await();
                    return "done";
                });
                readWhileItEnds(go, root, () -> {
                    boolean ended = root.status().isTerminal();
                    if (orchestrator.find(root.id()).isEmpty()) {
                        lost.incrementAndGet();
                    }
                    return ended;
                });
            }
        });
        assertThat(lost).as("find(id) answers empty for a root that is ending").hasValue(0);
    }

    /**
     * Two threads call {@code read} (which answers whether it saw the task terminal) until it does, while
     * {@code go} lets {@code task} end; returns once the task and both readers are done.
     */
    private static void readWhileItEnds(CountDownLatch go, SpawningTask<?> task, BooleanSupplier read)
            throws InterruptedException {
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                boolean ended;
                do {
                    ended = read.getAsBoolean();
                } while (!ended);
            }));
        }
        go.countDown();
        task.result();
        for (Thread reader : readers) {
            reader.join();
        }
    }

    private static String inconsistency(TaskInfo info) {
        boolean terminal = info.status().isTerminal();
        if (terminal && info.completedAt() == null) {
            return "terminal without an end time";
        }
        if (!terminal && info.completedAt() != null) {
            return "live with an end time";
        }
        if (!terminal && info.failure() != null) {
            return "live with a failure";
        }
        if (terminal && info.status() != TaskStatus.COMPLETED && info.failure() == null) {
            return "ended without completing but without a failure";
        }
        if (info.status() == TaskStatus.COMPLETED && info.failure() != null) {
            return "completed with a failure";
        }
        return null;
    }
}
