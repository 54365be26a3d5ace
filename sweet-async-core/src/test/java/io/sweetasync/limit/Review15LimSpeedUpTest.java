package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ADAPTIVE against 5 slots of 1 ms (a limit of about 5), when the downstream gets 100x faster (a cache warmed up,
 * a slow dependency fixed): 5 slots of 10 µs. The first window after the change delivers at the new rate while
 * {@code R₀} still holds much of the old latency (the window mixes work of both), so {@code BDP = X̂ · R₀} read 500
 * and more: the limit went 5 → 520 → 813 within 20 ms, 160 times what the downstream serves, every request queued
 * behind hundreds, until the next windows cut it back. The limit falls at most fourfold per window; it must not
 * rise without bound in one either.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review15LimSpeedUpTest {

    @Test
    void aDownstreamThatGetsFasterDoesNotThrowTheLimitToItsMaximum() {
        Limit limit = Limit.of(new LimiterConfig(LimitAlgorithm.ADAPTIVE, 20, 1, 1000, 100, Duration.ofSeconds(1)));
        ClosedLoop downstream = new ClosedLoop(limit, 5, 1_000_000L);
        downstream.run(5_000_000_000L);
        int before = limit.limit();
        assertThat(before).as("ADAPTIVE against 5 slots of 1 ms").isBetween(3, 10);
        downstream.reshape(5, 10_000L);
        StringBuilder trajectory = new StringBuilder();
        int highest = 0;
        for (int tick = 0; tick < 200; tick++) {
            downstream.run(10_000_000L);
            highest = Math.max(highest, limit.limit());
            trajectory.append(limit.limit()).append(' ');
        }
        assertThat(highest).as("highest limit in the 2 s after 5 slots got 100x faster, from %d (per 10 ms: %s)",
                before, trajectory).isLessThanOrEqualTo(50);
    }
}
