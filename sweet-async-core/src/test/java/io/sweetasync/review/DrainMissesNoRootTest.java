package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of the striped live-roots table behind shutdown's drain: roots submitted from several threads while a
 * shutdown drains (each stripe read in turn, roots coming and going meanwhile). A shutdown that answers true (all
 * finished within the grace) must leave no root it admitted still running; and one whose tasks all end within
 * a millisecond answers true, however many roots are submitted (and rejected) meanwhile.
 */
@Timeout(120)
class DrainMissesNoRootTest {

    @Test
    void aShutdownThatDrainedLeavesNoAdmittedRootRunning() throws Exception {
        for (int round = 0; round < 150; round++) {
            ConcurrentLinkedQueue<SpawningTask<Integer>> handles = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            int submitters = 3;
            CountDownLatch going = new CountDownLatch(submitters);
            List<Thread> threads = new ArrayList<>();
            TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
            try {
                for (int s = 0; s < submitters; s++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        going.countDown();
                        int i = 0;
                        while (!stop.get()) {
                            int n = i++;
                            handles.add(orchestrator.to(Integer.class).run(() -> {
                                if (n % 16 == 0) {
                                    Thread.sleep(1);
                                }
                                return n;
                            }));
                        }
                    }));
                }
                assertThat(going.await(10, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(round % 5);
                long began = System.nanoTime();
                boolean drained = orchestrator.shutdown(Duration.ofSeconds(20));
                long tookMillis = (System.nanoTime() - began) / 1_000_000;
                List<String> running = new ArrayList<>();
                if (drained) {
                    for (SpawningTask<Integer> handle : handles) {
                        if (!handle.status().isTerminal()) {
                            running.add(handle.id() + " " + handle.status());
                        }
                    }
                }
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
                // Every body returns within 1 ms: false here means the drain, released because it saw no admitted root
                // live, looked again and counted a root rejected meanwhile (submitted after shutdown began).
                assertThat(drained).as("round " + round + ": shutdown(20 s) answered false after " + tookMillis + " ms")
                        .isTrue();
                assertThat(running).as("round " + round + ": roots still live after a drained shutdown").isEmpty();
            }
            finally {
                stop.set(true);
                orchestrator.close();
            }
        }
    }
}
