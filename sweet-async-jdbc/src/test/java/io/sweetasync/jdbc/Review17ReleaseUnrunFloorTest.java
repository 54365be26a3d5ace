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
 * {@code releaseUnrun} takes back a claim's attempt, never the 1 an enqueue counted: that count marks a stored
 * invocation, whose next run is a re-run (handed on while a group is full). Taken down to 0, a placed invocation its
 * member's shutdown turned back before it ran was claimed next as a first run (no attempt before it), and a full group
 * there refused it for good (its end written FAILED, the placing caller told rejected).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review17ReleaseUnrunFloorTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anEnqueuedCountIsNeverTakenBack(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long placed = store.open("placed", Duration.ofSeconds(30)).number();
        TaskId id = TaskId.of(placed, 1);
        long now = System.currentTimeMillis();
        // as a placement stores it: attempts 1, owned by the member it was placed on
        store.enqueue(new DurableRecord(id.value(), "h", null, "PENDING", 1, placed, null, null, now),
                JdbcTaskStoreTest.record(id.value(), "PENDING", "h", placed, true, now));

        store.releaseUnrun(placed, List.of(id)); // its shutdown turned it back before it ran
        assertThat(store.durable(id).orElseThrow().attempts()).isEqualTo(1);

        long next = store.open("next", Duration.ofSeconds(30)).number();
        DurableRecord claimed = store.claimOrphans(next, List.of("h"), 10).get(0);
        assertThat(claimed.attempts()).as("a re-run (DurableStarts.attemptsBefore: attempts - 1 = 1 before it)")
                .isEqualTo(2);

        // a claim's own attempt is still taken back
        store.releaseUnrun(next, List.of(id));
        assertThat(store.durable(id).orElseThrow().attempts()).isEqualTo(1);
    }
}
