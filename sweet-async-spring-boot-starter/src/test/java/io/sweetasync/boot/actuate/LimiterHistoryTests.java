package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimiterHistoryTests {

    @Test
    void keepsFiveMinutesOfSamplesPerGroupAndTheEndpointAnswersThemWhenAsked() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults().withLimits(8, 1, 64)).build()) {
            Instant start = Instant.parse("2026-12-01T12:00:00Z");
            Clock[] now = { Clock.fixed(start, ZoneOffset.UTC) };
            LimiterHistory history = new LimiterHistory(orchestrator, new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now[0].instant();
                }
            });
            for (int i = 0; i < LimiterHistory.KEPT + 10; i++) {
                now[0] = Clock.fixed(start.plus(Duration.ofSeconds(i)), ZoneOffset.UTC);
                history.sample();
            }
            List<LimiterHistory.Sample> pricing = history.samples().get("pricing");
            assertThat(pricing).hasSize(LimiterHistory.KEPT);
            assertThat(pricing.getFirst().epochMillis()).as("the oldest ten dropped")
                    .isEqualTo(start.plusSeconds(10).toEpochMilli());
            assertThat(pricing.getLast()).isEqualTo(new LimiterHistory.Sample(
                    start.plusSeconds(LimiterHistory.KEPT + 9).toEpochMilli(), 8, 0, 0));

            AsyncLimitsEndpoint endpoint = new AsyncLimitsEndpoint(orchestrator, history);
            assertThat(endpoint.limits(true).history().get("pricing")).hasSize(LimiterHistory.KEPT);
            assertThat(endpoint.limits(false).history()).isEmpty();
            assertThat(new AsyncLimitsEndpoint(orchestrator).limits(true).history()).as("no history kept").isEmpty();
        }
    }
}
