package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile review of the day's changes, at the store: a placed durable task's handle cancelled while it waits for its
 * next run ends the invocation for its current owner ({@code finishDurable} with that owner), so the owner still owns
 * it afterwards, and the owner guard of the task record alone no longer keeps the owner's run from overwriting it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TodaysDurableStoreChangesTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    /**
     * The invocation ended {@code CANCELLED} for its owner (by another member), with that record: the owner's run,
     * stopped because of it, writes its record {@code FAILED}, which must not replace the cancellation; a record that
     * says the same end (its figures made final later) still does.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anEndedInvocationsRecordIsReplacedOnlyByOneThatSaysThatEnd(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        TaskStore.Incarnation owner = store.open("member-b", Duration.ofMinutes(1));
        long now = System.currentTimeMillis();
        TaskId id = TaskId.of(owner.number(), 1);
        store.enqueue(new DurableRecord(id.value(), "work", null, "PENDING", 1, owner.number(), null, null, now, 0),
                JdbcTaskStoreTest.record(id.value(), "PENDING", "work", owner.number(), true, now));
        store.save(List.of(JdbcTaskStoreTest.record(id.value(), "RUNNING", "work", owner.number(), true, now)));
        assertThat(store.find(id).orElseThrow().status()).as("the owner's record while pending").isEqualTo("RUNNING");

        assertThat(store.finishDurable(id, owner.number(), "CANCELLED", null, "its handle was cancelled")).isTrue();
        store.save(List.of(JdbcTaskStoreTest.record(id.value(), "CANCELLED", "work", owner.number(), true, now)));
        store.save(List.of(JdbcTaskStoreTest.record(id.value(), "FAILED", "work", owner.number(), true, now)));

        assertThat(store.find(id).orElseThrow().status()).as("the record of the ended invocation")
                .isEqualTo("CANCELLED");
        TaskRecord later = JdbcTaskStoreTest.record(id.value(), "CANCELLED", "work-final", owner.number(), true, now);
        store.save(List.of(later));
        assertThat(store.find(id).orElseThrow().name()).as("a record saying the same end").isEqualTo("work-final");
    }
}
