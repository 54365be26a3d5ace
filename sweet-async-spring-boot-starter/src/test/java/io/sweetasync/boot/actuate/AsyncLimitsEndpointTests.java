package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AsyncLimitsEndpointTests {

    /**
     * A group whose tasks may wait "practically for ever" ({@code max-wait=9999999999999d}, which start-up
     * accepts and the limiter honours by scheduling nothing) is answered with the longest wait in milliseconds:
     * converting it threw ArithmeticException, so {@code asynclimits} (and the dashboard reading it) answered 500
     * for every group.
     */
    @Test
    void aGroupThatWaitsPracticallyForEverIsAnsweredWithTheLongestWait() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("batch", LimiterConfig.defaults().withMaxWait(Duration.ofDays(9_999_999_999_999L)))
                .group("pricing", LimiterConfig.defaults().withMaxWait(Duration.ofSeconds(2))).build()) {
            AsyncLimitsEndpoint endpoint = new AsyncLimitsEndpoint(orchestrator);
            AsyncLimitsEndpoint.LimitsDescriptor limits = endpoint.limits(false);
            assertThat(limits.groups().get("batch").maxWaitMs()).isEqualTo(Long.MAX_VALUE);
            assertThat(limits.groups().get("pricing").maxWaitMs()).isEqualTo(2_000);
            assertThat(endpoint.group("batch").maxWaitMs()).isEqualTo(Long.MAX_VALUE);
        }
    }
}
