package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link TaskInfo} read while its task ends is one moment's view: a live status never comes with an end
 * time, a terminal one always with its end time and, unless COMPLETED, its failure (SPEC 1.3, 1.9).
 */
class SnapshotConsistencyTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final int TASKS = 200;

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
                List<Thread> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(Thread.ofPlatform().start(() -> {
                        TaskInfo seen;
                        do {
                            seen = task.info();
                            String why = inconsistency(seen);
                            if (why != null) {
                                broken.add(why + ": " + seen + " ended " + seen.completedAt() + " failure "
                                        + seen.failure());
                            }
                        } while (!seen.status().isTerminal());
                    }));
                }
                go.countDown();
                task.result();
                for (Thread reader : readers) {
                    reader.join();
                }
                assertThat(inconsistency(task.info())).isNull();
            }
        });
        assertThat(broken).as("snapshots that contradict their own status").isEmpty();
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
        if (terminal && info.status() != io.sweetasync.TaskStatus.COMPLETED && info.failure() == null) {
            return "ended without completing but without a failure";
        }
        if (info.status() == io.sweetasync.TaskStatus.COMPLETED && info.failure() != null) {
            return "completed with a failure";
        }
        return null;
    }
}
