package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code releaseUnrun} takes back a claim's attempt, and a placement's (the 1 its enqueue counted for the run it was to
 * make there), never below 0. Review 17 kept the enqueue's 1 (taken down to 0, a placed invocation its member's
 * shutdown turned back was claimed next as a first run, refused for good by a full group there); kept, it numbered
 * that invocation's first real run attempt 2 (review 21). The orchestrator now runs a claimed invocation as a re-run
 * whatever its count (Review21DurPlacedTurnedBackAttemptTest: handed on while a group is full, its first run attempt 1).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review17ReleaseUnrunFloorTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aPlacementTurnedBackUnrunCountsNoRun(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long placed = store.open("placed", Duration.ofSeconds(30)).number();
        TaskId id = TaskId.of(placed, 1);
        long now = System.currentTimeMillis();
        // as a placement stores it: attempts 1, owned by the member it was placed on
        store.enqueue(new DurableRecord(id.value(), "h", null, "PENDING", 1, placed, null, null, now),
                JdbcTaskStoreTest.record(id.value(), "PENDING", "h", placed, true, now));

        store.releaseUnrun(placed, List.of(id)); // its shutdown turned it back before it ran
        assertThat(store.durable(id).orElseThrow().attempts()).as("it made no run").isZero();

        long next = store.open("next", Duration.ofSeconds(30)).number();
        DurableRecord claimed = store.claimOrphans(next, List.of("h"), 10).get(0);
        assertThat(claimed.attempts()).as("its first run (DurableStarts.attemptsBefore: none before it)").isEqualTo(1);

        // a claim's own attempt is still taken back, never below 0
        store.releaseUnrun(next, List.of(id));
        assertThat(store.durable(id).orElseThrow().attempts()).isZero();
        long third = store.open("third", Duration.ofSeconds(30)).number();
        store.claimOrphans(third, List.of("h"), 10);
        store.releaseUnrun(third, List.of(id));
        store.releaseUnrun(third, List.of(id)); // handed back twice: changes nothing
        assertThat(store.durable(id).orElseThrow().attempts()).isZero();
    }
}
