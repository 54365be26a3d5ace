package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README "Concurrency groups and adaptive limits": what a limiter snapshot shows. */
@Timeout(60)
class Review16ReadmeLimitsTest {

    // The README's snippet: withLimits(8, 2, 64), withQueueCapacity(200), withMaxWait(2 s) on the ADAPTIVE
    // default; "Its phase, baseline and estimated capacity are in every LimiterSnapshot"
    @Test
    void aConfiguredGroupsSnapshotShowsItsSettingsPhaseBaselineAndCapacity() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults()
                        .withLimits(8, 2, 64)
                        .withQueueCapacity(200)
                        .withMaxWait(Duration.ofSeconds(2)))
                .build()) {
            for (int i = 0; i < 5; i++) {
                assertThat(orchestrator.to(Integer.class).group("pricing").await(() -> 42)).isEqualTo(42);
            }
            LimiterSnapshot g = orchestrator.limiters().stream().filter(s -> s.group().equals("pricing"))
                    .findFirst().orElseThrow();
            assertThat(g.algorithm()).isEqualTo(LimitAlgorithm.ADAPTIVE);
            assertThat(g.limit()).isBetween(2, 64);
            assertThat(g.queueCapacity()).isEqualTo(200);
            assertThat(g.maxWait()).isEqualTo(Duration.ofSeconds(2));
            assertThat(g.queued()).isZero();
            assertThat(g.inFlight()).isZero();
            assertThat(g.accepted()).isEqualTo(5);
            assertThat(g.rejected()).isZero();
            assertThat(g.phase()).isNotNull();
            assertThat(g.baselineLatency()).isNotNull();
            assertThat(g.estimatedCapacity()).isNotNaN().isGreaterThanOrEqualTo(0.0);
        }
    }

    // "LimiterConfig.defaults() // ADAPTIVE, initial 20, 1..1000"; a group used without configuration gets the
    // default group config: before any sample its limit is the initial 20
    @Test
    void anUnconfiguredGroupStartsAtTheDefaultInitialLimit() {
        LimiterConfig d = LimiterConfig.defaults();
        assertThat(d.algorithm()).isEqualTo(LimitAlgorithm.ADAPTIVE);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            assertThat(orchestrator.limiter("r16-fresh").snapshot().limit()).isEqualTo(20);
        }
    }
}
