package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile values at {@link JdbcTaskStore}'s public methods (SPEC 1.5: a huge duration means "practically
 * never", never an arithmetic error) and what the store keeps of the values the core API lets through.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreInputsTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    /** A huge lease failed with "ArithmeticException: long overflow", a null one with an NPE naming nothing. */
    @ParameterizedTest
    @MethodSource("databases")
    void aHugeLeaseIsHonouredAsNeverEnding(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        for (Duration huge : List.of(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), Duration.ofMillis(Long.MAX_VALUE),
                Duration.ofDays(365L * 1_000_000))) {
            TaskStore.Incarnation opened = store.open("forever", huge);
            assertThat(opened.leaseUntil()).isAfter(Instant.now().plus(Duration.ofDays(365L * 1000)));
            assertThat(store.heartbeat(opened.number(), huge)).isZero();
        }
        // a lease that is not positive has ended already: its member's live tasks are lost (as before)
        TaskStore.Incarnation ended = store.open("ended", Duration.ofSeconds(Long.MIN_VALUE));
        assertThat(ended.leaseUntil()).isBefore(Instant.now());
        assertThatThrownBy(() -> store.open("m", null)).isInstanceOf(NullPointerException.class).hasMessage("lease");
        assertThatThrownBy(() -> store.heartbeat(1, null)).isInstanceOf(NullPointerException.class).hasMessage("lease");
    }

    /** purge(Instant.MAX) failed with "long overflow"; purge(null) with an NPE naming nothing. */
    @ParameterizedTest
    @MethodSource("databases")
    void purgeTakesAnyInstant(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long incarnation = store.open("a", Duration.ofSeconds(30)).number();
        store.save(List.of(JdbcTaskStoreTest.record(TaskId.of(incarnation, 1).value(), "COMPLETED", "done",
                incarnation, false, 1_000)));
        assertThat(store.purge(Instant.MIN)).isZero();
        assertThat(store.purge(Instant.MAX)).isEqualTo(1);
        assertThat(store.query(new TaskQuery(null, null, null, 0, 10))).isEmpty();
        assertThatThrownBy(() -> store.purge(null)).isInstanceOf(NullPointerException.class).hasMessage("before");
        assertThatThrownBy(() -> store.durable(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
    }

    /** A member name longer than the column failed open() with the database's error; it is cut as in task rows. */
    @ParameterizedTest
    @MethodSource("databases")
    void aLongMemberNameIsKeptCutAsInTaskRecords(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        TaskStore.Incarnation opened = store.open("m".repeat(300), Duration.ofSeconds(30));
        assertThat(opened.number()).isPositive();
        assertThat(store.open("with\u0000nul", Duration.ofSeconds(30)).number()).isGreaterThan(opened.number());
    }

    /** The tags the core API accepts, at its bounds, are what the store gives back. */
    @ParameterizedTest
    @MethodSource("databases")
    void tagsAtTheirBoundsSurviveTheStore(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).tag("k".repeat(100), "v".repeat(1_000))
                    .tag("a&b=c", "x=y&z").tag("empty", "").group("g".repeat(100)).run(() -> "x");
            task.join();
            assertThat(orchestrator.flushStore()).isTrue();
            TaskRecord stored = store.find(task.id()).orElseThrow();
            assertThat(stored.tags()).containsEntry("k".repeat(100), "v".repeat(1_000)).containsEntry("a&b=c", "x=y&z")
                    .containsEntry("empty", "").hasSize(3);
            assertThat(stored.group()).isEqualTo("g".repeat(100));
        }
    }

    /**
     * A {@code DurableStartGate} is user code. One that threw before starting or abandoning the task left it
     * live and PENDING for ever (shutdown waited for it); now it ends rejected and {@code run()} says why. One
     * that throws after starting it has done its job: the submitter gets the handle.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aStartGateThatThrowsLeavesNoTaskLiveForEver(Databases.Database database) {
        try (TaskOrchestrator orchestrator = durable(database).durableStartGate((start, abandon) -> {
            throw new IllegalStateException("no transaction synchronization");
        }).build()) {
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("shout", "x").run())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("start gate failed")
                    .hasRootCauseMessage("no transaction synchronization");
            await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.liveCount() == 0);
        }
        try (TaskOrchestrator orchestrator = durable(database).durableStartGate((start, abandon) -> {
            start.run();
            throw new IllegalStateException("after starting");
        }).build()) {
            assertThat(orchestrator.to(String.class).durable("shout", "x").run().join()).isEqualTo("x!");
        }
    }

    /** A codec that encoded an argument as null stored none: the handler ran on null, silently. */
    @ParameterizedTest
    @MethodSource("databases")
    void anArgumentTheCodecEncodesAsNullIsRefused(Databases.Database database) {
        JsonDurableCodec json = new JsonDurableCodec();
        DurableCodec nulls = new DurableCodec() {
            @Override
            public String encode(Object value) {
                return null;
            }

            @Override
            public <T> T decode(String text, Class<T> type) {
                return json.decode(text, type);
            }
        };
        try (TaskOrchestrator orchestrator = durable(database).durableCodec(nulls).build()) {
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("shout", "x").run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'shout'")
                    .hasMessageContaining("encoded it as null");
            assertThat(orchestrator.to(String.class).durable("shout", null).await()).isEqualTo("null!");
        }
    }

    private static TaskOrchestrator.Builder durable(Databases.Database database) {
        return TaskOrchestrator.builder().store(database.newStore()).durableCodec(new JsonDurableCodec())
                .handler("shout", String.class, text -> text + "!");
    }
}
