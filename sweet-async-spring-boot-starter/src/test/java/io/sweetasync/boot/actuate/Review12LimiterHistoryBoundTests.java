package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import org.junit.jupiter.api.Test;

/**
 * Groups made from data ({@code group("tenant-" + id)}, which the engine allows, warning from 1,000 groups on):
 * the history kept five minutes of samples for every group, three hundred each, for good (groups are never
 * removed), and {@code asynclimits?history=true}, which the dashboard asks for when it opens, answered all of
 * them: with 5,000 groups 1.5 million samples in memory and in one answer. It keeps the samples of a bounded
 * number of groups, as the meters do (the endpoint still lists every group's state now).
 */
class Review12LimiterHistoryBoundTests {

    @Test
    void groupsMadeFromDataDoNotEachKeepFiveMinutesOfSamples() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults().withLimits(8, 1, 64)).build()) {
            LimiterHistory history = new LimiterHistory(orchestrator);
            history.sample(); // the configured group, from the start
            for (int i = 0; i < 5_000; i++) {
                orchestrator.limiter("tenant-" + i);
            }
            for (int i = 0; i < 3; i++) {
                history.sample();
            }
            assertThat(history.samples()).as("groups with samples kept").hasSizeLessThanOrEqualTo(LimiterHistory.MAX_GROUPS)
                    .containsKey("pricing");
            assertThat(history.samples().get("pricing")).hasSize(4);
            assertThat(new AsyncLimitsEndpoint(orchestrator, history).limits(true).groups())
                    .as("every group's state now is still listed").hasSize(5_001);
        }
    }
}
