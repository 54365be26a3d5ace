package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTask;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The README's streaming example, as written: no type witnesses, no explicit lambda parameter types. */
class ReadmeExampleTest {

    record UserRow(String id, String name) {
    }

    record User(String id, String displayName) {
    }

    static User enrich(UserRow row) {
        return new User(row.id(), row.name().toUpperCase());
    }

    @Test
    void theReadmeExampleCompilesAndKeepsEmissionOrder() {
        List<UserRow> rows = IntStream.range(0, 1_000).mapToObj(i -> new UserRow("u" + i, "name " + i)).toList();

        FinalEvent<String, User> done = AsyncTask.emits(UserRow.class)
            .named("import-users")
            .bufferSize(256)                                   // backpressure: emit() blocks when full
            .sequence()                                        // collected() in emission order
            .sender(SenderStrategy.serial(), emitter -> emitter.emitAll(rows))
            .receiver(ReceiverStrategy.parallel(8), (event, collector) ->
                collector.collect(event.data().id(), enrich(event.data())))
            .awaitFinalEvent();

        assertThat(done.emitted()).isEqualTo(1_000);
        assertThat(done.received()).isEqualTo(1_000);
        assertThat(done.errors()).isEmpty();
        assertThat(done.collected().keySet()).containsExactlyElementsOf(rows.stream().map(UserRow::id).toList());
        User first = done.collected().get("u0");
        assertThat(first.displayName()).isEqualTo("NAME 0");
    }
}
