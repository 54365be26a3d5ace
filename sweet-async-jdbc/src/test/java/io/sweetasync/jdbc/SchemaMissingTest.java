package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskId;
import io.sweetasync.jdbc.Databases.Database;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 6, {@code sweet.async.store.initialize-schema=never} (or a database that is not embedded under the default):
 * a store whose tables nobody created fails saying what to do, not only which table the database could not find.
 */
class SchemaMissingTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    static Stream<Database> databases() {
        return Databases.all();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aStoreWithoutItsTablesSaysHowToCreateThem(Database database) {
        JdbcTaskStore store = new JdbcTaskStore(database.dataSource(), "none" + ProcessHandle.current().pid() + "_"
                + PREFIXES.incrementAndGet() + "_");
        assertThatThrownBy(() -> store.open("member", Duration.ofSeconds(30))).isInstanceOf(TaskStoreException.class)
                .hasMessageContaining("JdbcTaskStore.initializeSchema()")
                .hasMessageContaining("sweet.async.store.initialize-schema=always");
        assertThatThrownBy(() -> store.find(TaskId.of(1, 1))).isInstanceOf(TaskStoreException.class)
                .hasMessageContaining("initializeSchema()");
    }
}
