package io.sweetasync.jdbc;

import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SQL text the store builds rather than writes inline: the column lists, and the statements whose
 * shape depends on the database kind or on a number of rows (the task upsert of each dialect, the
 * PostgreSQL multi-row upsert and multi-row durable end), each built once per shape.
 *
 * <p>Invariants: thread-safe; the statements are kept in a concurrent map (a racer may build a statement
 * twice, the same text, and one is kept); a statement of a dialect is asked for only inside a connection's
 * work, after {@link StoreConnections} detected the kind, so {@link StoreConnections#known()} is not null
 * here.
 */
final class StoreSql {

    static final String LIVE = "('PENDING','QUEUED','RUNNING')";
    static final String TASK_COLUMNS = "id, parent_id, root_id, name, status, priority, group_name, runtime, "
            + "tags, created_at, started_at, completed_at, attempts, failure_type, failure_message, queue_wait_nanos, "
            + "run_nanos, cpu_nanos, allocated_bytes, bytes_read, bytes_written, resource_sources, member, incarnation, "
            + "durable";
    static final String DURABLE_COLUMNS = "id, handler, argument, status, attempts, owner, result, failure, "
            + "created_at, lost_runs, settings";
    static final String FINISH_DURABLE = "durable SET status = ?, result = ?, failure = ?, updated_at = ? "
            + "WHERE id = ? AND owner = ? AND status = 'PENDING'";
    /** Rows written by one statement, where one statement writes many (PostgreSQL). */
    static final int ROWS_PER_STATEMENT = 100;

    private final String prefix;
    private final StoreConnections connections;
    /**
     * Statements built once per shape (a dialect, a number of rows: at most 2 x 100 + 1 of them), not at
     * every write of the store's thread.
     */
    private final Map<String, String> statements = new ConcurrentHashMap<>();

    StoreSql(String prefix, StoreConnections connections) {
        this.prefix = prefix;
        this.connections = connections;
    }

    /**
     * Inserts a task record or replaces it, except that a durable task's record is replaced only by its
     * invocation's current owner: a member whose lease lapsed (a partition, a long pause) cannot overwrite
     * what the member that took the task over wrote. Once the invocation has ended, only by a record with the status
     * it ended with: an end recorded for the owner by another member (a placed task's handle cancelled while it waited
     * for its next run) is not overwritten by the owner's run, stopped for it or ending after it. PostgreSQL:
     * {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE}; H2: the standard {@code MERGE ... WHEN MATCHED AND}.
     */
    String upsertTask() {
        return statements.computeIfAbsent("task:" + connections.known(), key -> buildUpsertTask());
    }

    private String buildUpsertTask() {
        String[] columns = TASK_COLUMNS.split(", ");
        if (connections.known() == Dialect.H2) {
            StringBuilder source = new StringBuilder();
            StringBuilder update = new StringBuilder();
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < columns.length; i++) {
                source.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(H2_TYPES[i]).append(") AS ")
                        .append(columns[i]);
                values.append(i == 0 ? "" : ", ").append("s.").append(columns[i]);
                if (i > 0) {
                    update.append(i == 1 ? "" : ", ").append(columns[i]).append(" = s.").append(columns[i]);
                }
            }
            return "MERGE INTO " + prefix + "task USING (SELECT " + source + ") s ON " + prefix + "task.id = s.id "
                    + "WHEN MATCHED AND (" + ownerGuard("s") + ") THEN UPDATE SET " + update + " WHEN NOT MATCHED THEN INSERT ("
                    + TASK_COLUMNS + ") VALUES (" + values + ")";
        }
        return upsertTasks(1);
    }

    /** PostgreSQL: the upsert of {@link #upsertTask()} for {@code rows} records in one statement. */
    String upsertTasks(int rows) {
        return statements.computeIfAbsent("tasks:" + rows, key -> buildUpsertTasks(rows));
    }

    private String buildUpsertTasks(int rows) {
        String[] columns = TASK_COLUMNS.split(", ");
        StringBuilder update = new StringBuilder();
        for (String column : columns) {
            if (!column.equals("id")) {
                update.append(update.isEmpty() ? "" : ", ").append(column).append(" = EXCLUDED.").append(column);
            }
        }
        String row = "(?" + ", ?".repeat(columns.length - 1) + ")";
        return "INSERT INTO " + prefix + "task (" + TASK_COLUMNS + ") VALUES " + row + (", " + row).repeat(rows - 1)
                + " ON CONFLICT (id) DO UPDATE SET " + update + " WHERE " + ownerGuard("EXCLUDED");
    }

    /** True where the stored record may be replaced by {@code incoming}'s row (see {@link #upsertTask()}). */
    private String ownerGuard(String incoming) {
        return "NOT " + prefix + "task.durable OR EXISTS (SELECT 1 FROM " + prefix + "durable d WHERE d.id = "
                + incoming + ".id AND d.owner = " + incoming + ".incarnation AND (d.status = 'PENDING' OR d.status = "
                + incoming + ".status))";
    }

    /** The SQL types of {@link #TASK_COLUMNS}, in order (H2 needs them for parameters in a MERGE source). */
    private static final String[] H2_TYPES = { "BIGINT", "BIGINT", "BIGINT", "VARCHAR(200)", "VARCHAR(16)",
            "VARCHAR(16)", "VARCHAR(200)", "VARCHAR(64)", "VARCHAR(4000)", "BIGINT", "BIGINT", "BIGINT", "INT",
            "VARCHAR(200)", "VARCHAR(2000)", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "CHAR(4)",
            "VARCHAR(200)", "BIGINT", "BOOLEAN" };

    /** PostgreSQL: the end of {@code rows} durable invocations in one statement, the recorded ones returned. */
    String finishTogether(int rows) {
        return statements.computeIfAbsent("ends:" + rows, key -> {
            String row = "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?)";
            return "UPDATE " + prefix + "durable d SET status = v.status, result = v.result, failure = v.failure, "
                    + "updated_at = ? FROM (VALUES " + row + (", " + row).repeat(rows - 1) + ") AS v(id, owner, status, "
                    + "result, failure) WHERE d.id = v.id AND d.owner = v.owner AND d.status = 'PENDING' RETURNING d.id";
        });
    }
}
