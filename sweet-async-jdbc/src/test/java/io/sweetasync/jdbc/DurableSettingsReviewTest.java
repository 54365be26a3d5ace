package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Review of schema V3 (the durable settings column) against a store made by the previous version. */
class DurableSettingsReviewTest {

    @Test
    void aStoreMadeWithV1AndV2IsUpgradedByInitializeSchemaAndItsOldInvocationsReadWithoutSettings() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:v2-store-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        List<String> scripts = JdbcTaskStore.Dialect.H2.schemaScripts();
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
            for (String location : scripts.subList(0, 2)) { // what the previous version created
                for (String sql : SchemaScript.statements(SchemaScript.read(location))) {
                    statement.execute(sql);
                }
            }
            // An invocation the previous version stored: no settings column at all.
            statement.execute("INSERT INTO sweet_async_durable (id, handler, argument, status, attempts, owner, "
                    + "created_at, updated_at, lost_runs) VALUES (42, 'send-invoice', 'x', 'PENDING', 1, 7, 1, 1, 0)");
        }
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        store.initializeSchema(); // idempotent, as every start runs it
        DurableRecord old = store.durable(new TaskId(42)).orElseThrow();
        assertThat(old.settings()).as("an old invocation has no settings: the running member's defaults").isNull();
        assertThat(old.handler()).isEqualTo("send-invoice");
        assertThat(old.attempts()).isEqualTo(1);
    }
}
