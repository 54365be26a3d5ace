package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Round 3 of the hostile review of the durable store: clocks, takeovers nobody noticed. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DurableRound3Test {

    private static final Duration CEILING = Duration.ofSeconds(30);

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder holding(TaskStore store, String member, Duration lease,
            CountDownLatch started, CountDownLatch never) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(lease)
                .handler("hold", String.class, argument -> {
                    started.countDown();
                    never.await();
                    return argument;
                });
    }

    /**
     * A clock jump: member A renews its lease in time by its own clocks, but the lease it writes has lapsed by the
     * other members' clock (A's wall clock stepped back by more than the lease at that renewal; simulated by moving
     * its stored lease back a minute). B claims A's durable run as an orphan and runs it. A never was out of reach
     * of the store, so it never looked at what was taken over: its copy ran on beside B's for as long as its body
     * ran, every later renewal of A being in time. Now every renewal also holds A's live durable runs against what
     * the store says A owns, and stops a copy another member claimed.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aRunTakenOverWhileItsMemberRenewedInTimeIsStoppedThere(Databases.Database database) throws Exception {
        String prefix = "r3" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000 + "_";
        JdbcTaskStore store = new JdbcTaskStore(database.dataSource(), prefix);
        store.initializeSchema();
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator a = holding(store, "member-a", Duration.ofSeconds(6), aStarted, never).build();
                TaskOrchestrator b = holding(store, "member-b", Duration.ofSeconds(1), bStarted, never).build()) {
            long aIncarnation = a.storeStatistics().orElseThrow().incarnation();
            SpawningTask<String> onA = a.to(String.class).durable("hold", "job").run();
            assertThat(aStarted.await(30, TimeUnit.SECONDS)).isTrue();

            try (Connection connection = database.dataSource().getConnection();
                    PreparedStatement back = connection.prepareStatement("UPDATE " + prefix + "member SET lease_until = "
                            + "lease_until - 60000 WHERE incarnation = ?")) {
                back.setLong(1, aIncarnation);
                assertThat(back.executeUpdate()).isEqualTo(1);
            }
            assertThat(bStarted.await(30, TimeUnit.SECONDS)).as("B took the run over").isTrue();

            await().atMost(CEILING).alias("A stops its copy at a later renewal").until(onA::isDone);
            assertThatThrownBy(onA.result()::orElseThrow).isInstanceOf(TaskLostException.class)
                    .hasMessageContaining("member-a").hasMessageContaining("another member claimed it");
        }
        finally {
            never.countDown();
        }
    }
}
