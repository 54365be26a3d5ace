package io.sweetasync.round7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.RuntimeSnapshot;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A zero-delay retry on a platform or single runtime is queued by its attempt's own thread
 * ({@code TaskAttempts.afterFailure}), no longer through the clock: a cancel, or the orchestrator's close, that
 * lands between its check and its queueing must neither run an attempt twice at once, nor leave the task
 * unended, nor leave the runtime or the group counting it.
 */
class ImmediateRetryRaceTest {

    private static final LimiterConfig ONE = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
            .withLimits(1, 1, 1);

    @ParameterizedTest
    @ValueSource(strings = {"pool", "single", "pool:group"})
    void aCancelRacingImmediateRetriesEndsTheTaskOnceAndLeavesNothingCounted(String where) {
        String runtime = where.startsWith("pool") ? "pool" : "single";
        boolean grouped = where.endsWith(":group");
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("pool", 2))
                    .group("one", ONE).build()) {
                for (int round = 0; round < 300; round++) {
                    AtomicInteger inBody = new AtomicInteger();
                    AtomicInteger overlaps = new AtomicInteger();
                    var builder = orchestrator.to(Integer.class).runtime(runtime)
                            .retry(RetryPolicy.fixed(1_000_000, Duration.ZERO));
                    if (grouped) {
                        builder = builder.group("one");
                    }
                    SpawningTask<Integer> task = builder.run(() -> {
                        if (inBody.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        inBody.decrementAndGet();
                        throw new IOException("transient");
                    });
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
                    task.cancel();
                    assertThat(ended(task)).as("round " + round + " ended").isTrue();
                    assertThat(task.status()).as("round " + round).isEqualTo(TaskStatus.CANCELLED);
                    assertThat(overlaps).as("round " + round + ": attempts at once").hasValue(0);
                    assertQuiet(orchestrator, "round " + round);
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pool", "single", "pool:group"})
    void aCloseRacingImmediateRetriesEndsTheTask(String where) {
        String runtime = where.startsWith("pool") ? "pool" : "single";
        boolean grouped = where.endsWith(":group");
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int round = 0; round < 100; round++) {
                SpawningTask<Integer> task;
                try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                        .runtime(TaskRuntime.platform("pool", 2)).group("one", ONE).build()) {
                    var builder = orchestrator.to(Integer.class).runtime(runtime)
                            .retry(RetryPolicy.fixed(1_000_000, Duration.ZERO));
                    if (grouped) {
                        builder = builder.group("one");
                    }
                    task = builder.run(() -> {
                        throw new IOException("transient");
                    });
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(500_000));
                }
                assertThat(ended(task)).as("round " + round + " ended").isTrue();
                assertThat(task.status().isTerminal()).as("round " + round).isTrue();
            }
        });
    }

    /** Whether {@code task} is terminal within 10 s. */
    private static boolean ended(SpawningTask<?> task) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!task.status().isTerminal()) {
            if (System.nanoTime() - until > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** Once the task ended: no queued or running attempt left in the runtimes, no permit held in the group. */
    private static void assertQuiet(TaskOrchestrator orchestrator, String round) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            boolean quiet = true;
            for (TaskRuntime runtime : orchestrator.runtimes().values()) {
                RuntimeSnapshot s = runtime.snapshot();
                quiet &= s.queued() == 0 && s.running() == 0;
            }
            for (LimiterSnapshot s : orchestrator.limiters()) {
                quiet &= s.inFlight() == 0 && s.queued() == 0;
            }
            if (quiet) {
                return;
            }
            assertThat(System.nanoTime() - until).as(round + ": " + orchestrator.runtimes().values().stream()
                    .map(TaskRuntime::snapshot).toList() + " " + orchestrator.limiters()).isNegative();
            LockSupport.parkNanos(1_000_000);
        }
    }
}
