package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** {@link JdbcTaskStore#within}: the bound a thread's statements share, on H2 (no overflow, nesting, the message). */
class StoreBoundsTest {

    /** On H2 a bounded statement waits for locks the smaller of its bound and the session's own lock timeout. */
    @Test
    void anH2StatementWaitsForLocksTheSmallerOfItsBoundAndTheSessionsOwnTimeout() {
        assertThat(H2Sessions.lockTimeout(3, 10_000)).isEqualTo(3_000);
        assertThat(H2Sessions.lockTimeout(3, 1_000)).isEqualTo(1_000);
        assertThat(H2Sessions.lockTimeout(3, 0)).as("H2's 0: no wait, not no limit").isZero();
        assertThat(H2Sessions.lockTimeout(StatementBounds.MAX_SECONDS, Integer.MAX_VALUE))
                .isEqualTo(StatementBounds.MAX_SECONDS * 1000L);
    }

    /** README: "marking lost the tasks of stopped members waits at most a third of the lease" (at least a second). */
    @Test
    void markingLostWaitsAThirdOfTheLeaseRoundedUpToWholeSeconds() {
        assertThat(MemberLeases.markLostSeconds(Duration.ofSeconds(30))).isEqualTo(10);
        assertThat(MemberLeases.markLostSeconds(Duration.ofSeconds(9))).isEqualTo(3);
        assertThat(MemberLeases.markLostSeconds(Duration.ofSeconds(31))).isEqualTo(11);
        assertThat(MemberLeases.markLostSeconds(Duration.ofMillis(30_001))).isEqualTo(11);
        assertThat(MemberLeases.markLostSeconds(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(MemberLeases.markLostSeconds(Duration.ofMillis(300))).isEqualTo(1);
        assertThat(MemberLeases.markLostSeconds(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
                .isEqualTo(StatementBounds.MAX_SECONDS);
    }

    @Test
    void aHugeBoundIsHonouredAsPracticallyNever() {
        JdbcTaskStore store = Databases.h2().newStore();
        for (Duration huge : new Duration[] { Duration.ofDays(365), Duration.ofSeconds(Long.MAX_VALUE),
                ChronoUnit.FOREVER.getDuration() }) {
            store.within(huge, () -> assertThat(store.owned(1, null, 10)).isEmpty());
        }
    }

    @Test
    void aBoundThatIsNotPositiveIsRefusedNamingIt() {
        JdbcTaskStore store = Databases.h2().newStore();
        for (Duration wrong : new Duration[] { Duration.ZERO, Duration.ofMillis(-1) }) {
            assertThatThrownBy(() -> store.within(wrong, () -> store.owned(1, null, 10)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bound")
                    .hasMessageContaining(wrong.toString());
        }
    }

    /** A statement due after its calls' bound ended is not made; its failure names the table and the bound. */
    @Test
    void aStatementAfterTheBoundEndedIsNotMadeAndSaysWhereAndWhy() {
        JdbcTaskStore store = Databases.h2().newStore();
        Duration bound = Duration.ofMillis(1);
        assertThatThrownBy(() -> store.within(bound, () -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the bound ends
            store.owned(1, null, 10);
        })).isInstanceOfSatisfying(TaskStoreException.class, ex -> assertThat(StoreConnections.timedOut(ex)).isTrue())
                .hasMessageContaining(store.toString().replace("JdbcTaskStore[", "").replace("*]", "") + "durable")
                .hasMessageContaining(bound.toString());
        assertThat(store.owned(1, null, 10)).as("outside the bound again").isEmpty();
    }

    @Test
    void aNestedBoundKeepsTheSoonerEnd() {
        JdbcTaskStore store = Databases.h2().newStore();
        assertThatThrownBy(() -> store.within(Duration.ofMillis(1), () -> store.within(Duration.ofDays(1), () -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            store.owned(1, null, 10);
        }))).isInstanceOf(TaskStoreException.class).hasMessageContaining("PT0.001S");
        store.within(Duration.ofDays(1), () -> store.within(Duration.ofDays(2), () -> store.owned(1, null, 10)));
    }
}
