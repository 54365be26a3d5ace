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
}
