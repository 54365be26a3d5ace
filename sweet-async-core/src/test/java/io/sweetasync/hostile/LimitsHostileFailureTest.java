package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A downstream that fails fast (connection refused, a circuit breaker open, a 503 thrown as an exception)
 * answers in a millisecond. Each failed attempt is returned to the group's limiter as a success sample
 * ({@code Permit.success()}, README: "each finished attempt is a latency sample"), so every algorithm but
 * {@code FIXED} reads the failures as a fast, healthy downstream and raises the limit: in a virtual-time closed
 * loop against 10 slots of 50 ms, 10 s of 1 ms failures took AIMD, VEGAS, GRADIENT2 and ADAPTIVE from about 10 to
 * their maximum (1000), and when the downstream came back ADAPTIVE kept 811 in flight against its 10 slots for
 * 17 s, GRADIENT2 and AIMD stayed at 1000. Netflix's interceptors give a failed call back as {@code onIgnore}
 * (no sample), or {@code onDropped} for an "unavailable". Now a failed attempt is no sample, and one that
 * failed because something timed out is a drop, as the task's own timeout is.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LimitsHostileFailureTest {

    @Test
    void attemptsThatFailFastDoNotRaiseTheGroupsLimit() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("flaky", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.AIMD).withLimits(2, 1, 1000))
                .build()) {
            SpawningTask<Integer> failing = orchestrator.to(Integer.class).group("flaky").run(() -> {
                throw new IllegalStateException("connection refused");
            });
            assertThat(catchThrowable(failing::join)).as("the attempt failed").isNotNull();
            LimiterSnapshot flaky = orchestrator.limiters().stream().filter(s -> s.group().equals("flaky"))
                    .findFirst().orElseThrow();
            assertThat(flaky.inFlight()).as("permit given back").isZero();
            // AIMD adds one for any sample not dropped with inflight · 2 >= L: 1 · 2 >= 2, so one failure makes it 3
            assertThat(flaky.limit()).as("AIMD's limit after one attempt that failed in no time").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void anAttemptThatFailedBecauseSomethingTimedOutIsADrop() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("slow", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.AIMD).withLimits(10, 1, 1000))
                .build()) {
            Exception[] failures = { new java.net.SocketTimeoutException("read timed out"),
                    new IllegalStateException("call failed", new java.util.concurrent.TimeoutException("no answer")),
                    new java.io.UncheckedIOException(new java.net.http.HttpTimeoutException("request timed out")) };
            int limit = limit(orchestrator, "slow");
            for (Exception failure : failures) {
                SpawningTask<Integer> failing = orchestrator.to(Integer.class).group("slow").run(() -> {
                    throw failure;
                });
                assertThat(catchThrowable(failing::join)).as("the attempt failed").isNotNull();
                assertThat(limit(orchestrator, "slow")).as("AIMD's limit after %s", failure).isLessThan(limit);
                limit = limit(orchestrator, "slow");
            }
            // a failure whose cause cannot be read is no sample, and no drop
            SpawningTask<Integer> unreadable = orchestrator.to(Integer.class).group("slow").run(() -> {
                throw new IllegalStateException("hostile") {
                    @Override
                    public synchronized Throwable getCause() {
                        throw new UnsupportedOperationException("no cause for you");
                    }
                };
            });
            assertThat(catchThrowable(unreadable::join)).isNotNull();
            assertThat(limit(orchestrator, "slow")).isEqualTo(limit);
        }
    }

    private static int limit(TaskOrchestrator orchestrator, String group) {
        return orchestrator.limiters().stream().filter(s -> s.group().equals(group)).findFirst().orElseThrow().limit();
    }
}
