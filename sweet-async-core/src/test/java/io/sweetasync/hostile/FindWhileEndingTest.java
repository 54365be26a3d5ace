package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code find(id)} of a root is never empty while the root moves from the live trees to the history (SPEC 1.9). */
class FindWhileEndingTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final int ROOTS = 250;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("two", 2)).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

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
                List<Thread> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(Thread.ofPlatform().start(() -> {
                        boolean ended;
                        do {
                            ended = root.status().isTerminal();
                            if (orchestrator.find(root.id()).isEmpty()) {
                                lost.incrementAndGet();
                            }
                        } while (!ended);
                    }));
                }
                go.countDown();
                root.result();
                for (Thread reader : readers) {
                    reader.join();
                }
            }
        });
        assertThat(lost).as("find(id) answers empty for a root that is ending").hasValue(0);
    }
}
