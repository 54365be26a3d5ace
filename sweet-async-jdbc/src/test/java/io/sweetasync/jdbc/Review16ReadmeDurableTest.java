package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README "Durable task state", the parts checkable on H2. */
@Timeout(60)
class Review16ReadmeDurableTest {

    private static DataSource h2(String name) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:r16-readme-" + name + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    private static String chain(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(" | ");
            for (Throwable s : c.getSuppressed()) {
                all.append(s).append(" | ");
            }
        }
        return all.toString();
    }

    // "A store whose tables are missing fails saying how to create them."
    @Test
    void aStoreWithoutItsTablesFailsSayingHowToCreateThem() {
        JdbcTaskStore store = new JdbcTaskStore(h2("no-tables"));
        Throwable failed = catchThrowable(() -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store)
                    .durableCodec(new JsonDurableCodec()).handler("echo", String.class, s -> s).build()) {
                orchestrator.to(String.class).durable("echo", "x").run().join();
            }
        });
        assertThat(failed).isNotNull();
        assertThat(chain(failed)).contains("initializeSchema");
    }

    // "each start gets an incarnation number from the store (7-42)": ids read incarnation-sequence, and a restart
    // on the same store gets another incarnation, so ids stay unique across restarts
    @Test
    void idsReadIncarnationDashSequenceAndARestartGetsANewIncarnation() {
        JdbcTaskStore store = new JdbcTaskStore(h2("incarnations"));
        store.initializeSchema();
        TaskId first;
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).build()) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> 1);
            task.join();
            first = task.id();
        }
        assertThat(first.toString()).matches("\\d+-\\d+");
        assertThat(TaskId.parse(first.toString())).isEqualTo(first);
        try (TaskOrchestrator restarted = TaskOrchestrator.builder().store(store).build()) {
            SpawningTask<Integer> task = restarted.to(Integer.class).run(() -> 2);
            task.join();
            assertThat(task.id().incarnation()).isNotEqualTo(first.incarnation());
            assertThat(task.id()).isNotEqualTo(first);
        }
    }

    // "storedResult gives a null value for it (Ok(null), as for a handler that returned null)"
    @Test
    void aHandlerThatReturnedNullIsStoredAsOkNull() {
        JdbcTaskStore store = new JdbcTaskStore(h2("null-result"));
        store.initializeSchema();
        TaskId id;
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store)
                .durableCodec(new JsonDurableCodec()).handler("nothing", String.class, s -> null).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).durable("nothing", "x").run();
            assertThat(task.join()).isNull();
            id = task.id();
            orchestrator.flushStore();
        }
        try (TaskOrchestrator restarted = TaskOrchestrator.builder().store(store)
                .durableCodec(new JsonDurableCodec()).build()) {
            TaskResult<String> result = restarted.storedResult(id, String.class).orElseThrow();
            assertThat(result).isEqualTo(new TaskResult.Ok<String>(null));
            assertThat(restarted.find(id).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
        }
    }

    /** A result type the codec below refuses to encode. */
    record Unencodable(String value) {
    }

    // "A result whose encoding is over maxResultSize(...) characters (64 K by default ...), or that the codec
    // cannot encode, is not kept: ... storedResult gives a null value for it (Ok(null))"; the caller still gets it
    @Test
    void aResultOverTheDefault64KOrThatTheCodecCannotEncodeIsStoredAsOkNull() {
        JdbcTaskStore store = new JdbcTaskStore(h2("unkept"));
        store.initializeSchema();
        JsonDurableCodec json = new JsonDurableCodec();
        io.sweetasync.spi.DurableCodec refusing = new io.sweetasync.spi.DurableCodec() {
            public String encode(Object value) {
                if (value instanceof Unencodable) {
                    throw new IllegalArgumentException("cannot encode " + value);
                }
                return json.encode(value);
            }

            public <T> T decode(String text, Class<T> type) {
                return json.decode(text, type);
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).durableCodec(refusing)
                .handler("text", Integer.class, n -> "x".repeat(n))
                .handler("odd", String.class, Unencodable::new).build()) {
            SpawningTask<String> small = orchestrator.to(String.class).durable("text", 60_000).run();
            SpawningTask<String> big = orchestrator.to(String.class).durable("text", 70_000).run();
            SpawningTask<Unencodable> odd = orchestrator.to(Unencodable.class).durable("odd", "v").run();
            assertThat(small.join()).hasSize(60_000);
            assertThat(big.join()).hasSize(70_000);
            assertThat(odd.join()).isEqualTo(new Unencodable("v"));
            assertThat(orchestrator.flushStore()).isTrue();
            assertThat(orchestrator.storedResult(small.id(), String.class).orElseThrow().orElseThrow())
                    .hasSize(60_000);
            assertThat(orchestrator.storedResult(big.id(), String.class).orElseThrow())
                    .isEqualTo(new TaskResult.Ok<String>(null));
            assertThat(orchestrator.storedResult(odd.id(), Unencodable.class).orElseThrow())
                    .isEqualTo(new TaskResult.Ok<Unencodable>(null));
            assertThat(odd.status()).isEqualTo(TaskStatus.COMPLETED);
        }
    }
}
