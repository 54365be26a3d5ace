package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.Work;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1.5: a timeout bounds the caller, waiters are released at the deadline even if the body ignores
 * interrupts. A progress supplier (TaskContext.progress: "cheap and thread-safe") that reads the body's
 * state under the body's own lock is thread-safe and cheap, until the body holds that lock and ignores
 * its interrupt: the deadline's forced end then must not wait for the supplier.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileProgressTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        orchestrator.close();
    }

    @Test
    void aDeadlineReleasesWaitersWhileAProgressSupplierWaitsForTheRunawayBodysLock() throws Exception {
        Object lock = new Object();
        long[] rows = new long[1];
        // the deadline runs from submission: on a loaded machine it can pass before the body holds its lock
        // (then it never does, and holding.await() hung), so such a run is repeated with a deadline twice as long
        Map<SpawningTask<String>, CountDownLatch> attempts = new LinkedHashMap<>();
        for (Duration timeout = Duration.ofMillis(200); attempts.values().stream().allMatch(e -> e.getCount() > 0);
                timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            CountDownLatch entered = new CountDownLatch(1);
            SpawningTask<String> attempt = orchestrator.to(String.class).timeout(timeout).run(() -> {
                TaskContext.current().orElseThrow().progress("rows", () -> {
                    synchronized (lock) {
                        return rows[0];
                    }
                });
                synchronized (lock) {
                    rows[0] = 1;
                    entered.countDown();
                    Work.awaitIgnoringInterrupts(release);
                }
                return "body";
            });
            attempts.put(attempt, entered);
            await().alias("the body holds its lock, or its task ended first").atMost(HANG)
                    .until(() -> entered.getCount() == 0 || attempt.status().isTerminal());
        }
        SpawningTask<String> task = attempts.entrySet().stream().filter(e -> e.getValue().getCount() == 0)
                .findFirst().orElseThrow().getKey();
        var result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(result.isOk()).isFalse();
        assertThat(assertTimeoutPreemptively(HANG, () -> {
            try {
                task.join();
                return null;
            }
            catch (TaskTimeoutException expected) {
                return expected;
            }
        })).isNotNull();
        // Snapshots of the runaway show its frozen values: they do not wait for the body's lock either.
        assertThat(assertTimeoutPreemptively(HANG, task::info).status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(assertTimeoutPreemptively(HANG, orchestrator::runaways)).extracting(info -> info.id())
                .contains(task.id());
    }
}
