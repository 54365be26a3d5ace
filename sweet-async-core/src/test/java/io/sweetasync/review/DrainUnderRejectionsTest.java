package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of shutdown's drain over the live-roots registry: callers that keep submitting while the orchestrator
 * shuts down (a loop retrying on TaskRejectedException, request threads) get their roots rejected, but each
 * rejected root sat in the registry until its rejection ended it, and with enough of them one was always there
 * when the drain looked: shutdown(grace) waited the whole grace, then cancelled, and answered false, though every
 * admitted body had returned within a few hundred milliseconds.
 */
@Timeout(120)
class DrainUnderRejectionsTest {

    @Test
    void rootsRejectedDuringShutdownDoNotKeepItsDrainWaiting() throws Exception {
        for (int round = 0; round < 3; round++) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lastBodyEnd = new AtomicLong();
            int submitters = 32;
            CountDownLatch going = new CountDownLatch(submitters);
            List<Thread> threads = new ArrayList<>();
            TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
            try {
                for (int s = 0; s < submitters; s++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        going.countDown();
                        while (!stop.get()) {
                            orchestrator.to(Integer.class).run(() -> {
                                lastBodyEnd.set(System.nanoTime());
                                return 1;
                            });
                        }
                    }));
                }
                assertThat(going.await(10, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(20);
                long began = System.nanoTime();
                boolean drained = orchestrator.shutdown(Duration.ofSeconds(5));
                long tookMillis = (System.nanoTime() - began) / 1_000_000;
                long lastEndMillis = (lastBodyEnd.get() - began) / 1_000_000;
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
                assertThat(drained).as("round " + round + ": shutdown(5 s) answered after " + tookMillis
                        + " ms; the last admitted body returned " + lastEndMillis + " ms after it began").isTrue();
            }
            finally {
                stop.set(true);
                orchestrator.close();
            }
        }
    }
}
