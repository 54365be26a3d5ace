package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split of a cluster-wide group's limit, and what a limiter does when its share moves. */
class ClusterWideLimiterTest {

    private final ManualClock clock = new ManualClock();

    private static LimiterConfig fixed(int limit) {
        return LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(limit, 1, limit)
                .withMaxWait(Duration.ofMinutes(1)).withClusterWide(true);
    }

    @Test
    void sharesAddUpToTheLimitWithTheRemainderToTheFirstMembers() {
        for (int limit = 1; limit <= 40; limit++) {
            for (int members = 1; members <= 12; members++) {
                LimiterConfig config = fixed(limit);
                int sum = 0;
                int previous = Integer.MAX_VALUE;
                for (int position = 0; position < members; position++) {
                    int share = config.share(position, members);
                    assertThat(share).isBetween(limit / members, limit / members + 1).isLessThanOrEqualTo(previous);
                    previous = share;
                    sum += share;
                }
                assertThat(sum).as("limit %d over %d members", limit, members).isEqualTo(limit);
            }
        }
        assertThat(List.of(fixed(10).share(0, 3), fixed(10).share(1, 3), fixed(10).share(2, 3))).containsExactly(4, 3, 3);
        assertThat(List.of(fixed(2).share(0, 3), fixed(2).share(1, 3), fixed(2).share(2, 3))).containsExactly(1, 1, 0);
    }

    @Test
    void anAdaptiveGroupSplitsItsMaximum() {
        LimiterConfig adaptive = LimiterConfig.defaults().withLimits(5, 1, 30).withClusterWide(true);
        assertThat(adaptive.clusterLimit()).isEqualTo(30);
        assertThat(adaptive.share(2, 3)).isEqualTo(10);
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("search", adaptive.withLimits(20, 1, 30), clock);
        limiter.share(0, 3);
        assertThat(limiter.limit()).isEqualTo(10); // the algorithm's 20, capped by the share
        assertThat(limiter.snapshot().clusterLimit()).isEqualTo(30);
        assertThat(limiter.snapshot().members()).isEqualTo(3);
    }

    @Test
    void aShrunkShareTakesNoPermitBackAndAGrownOneGrantsWaitersAtOnce() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("partner", fixed(6), clock);
        limiter.share(0, 1);
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        }
        assertThat(held).hasSize(6);

        limiter.share(1, 3); // 2 now, 6 in flight
        assertThat(limiter.limit()).isEqualTo(2);
        assertThat(limiter.inFlight()).isEqualTo(6);
        limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        assertThat(limiter.queued()).isEqualTo(1);
        for (int i = 0; i < 4; i++) {
            held.removeFirst().success();
        }
        assertThat(limiter.queued()).as("still at its share of 2").isEqualTo(1);
        held.removeFirst().success();
        assertThat(limiter.queued()).isZero();
        assertThat(limiter.inFlight()).isEqualTo(2);

        limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
        assertThat(limiter.queued()).isEqualTo(2);
        limiter.share(0, 2); // 3: one waiter goes
        assertThat(limiter.queued()).isEqualTo(1);
        assertThat(limiter.inFlight()).isEqualTo(3);
    }

    @Test
    void aZeroShareAdmitsNothingAndSaysWhy() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("partner", fixed(2).withQueueCapacity(0), clock);
        limiter.share(2, 3);
        assertThat(limiter.limit()).isZero();
        List<ConcurrencyLimiter.Rejection> rejections = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, permit -> { }, rejections::add);
        assertThat(rejections).singleElement().satisfies(rejection -> assertThat(rejection.message())
                .contains("group 'partner' is at its limit of 0, this member's share of the cluster-wide limit of 2 "
                        + "over 3 members (0: more members than permits"));
    }

    @Test
    void aGroupWithLimitsPerMemberIgnoresTheMembership() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("local", fixed(6).withClusterWide(false), clock);
        limiter.share(0, 3);
        assertThat(limiter.limit()).isEqualTo(6);
        assertThat(limiter.snapshot().isClusterWide()).isFalse();
    }

    @Test
    void badInputIsRefusedNamingIt() {
        assertThatThrownBy(() -> fixed(6).share(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("members must be at least 1 to split a cluster-wide limit, was 0");
        assertThatThrownBy(() -> fixed(6).share(3, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("position must be between 0 and 2 among 3 members, was 3");
        assertThatThrownBy(() -> fixed(6).share(-1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
        assertThatThrownBy(() -> LimiterConfig.defaults().withClusterWide(true).withLimits(0, 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minLimit must be at least 1, was 0");
        assertThatThrownBy(() -> TaskOrchestrator.builder().defaultGroupConfig(fixed(6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be cluster-wide");
    }
}
