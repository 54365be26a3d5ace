package io.sweetasync.jdbc;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Rows and records: a {@link TaskRecord} bound to the parameters of {@link StoreSql#TASK_COLUMNS} (its
 * text columns cut to their lengths by {@link Texts}), a row read back into a {@link TaskRecord} or a
 * {@link DurableRecord}, and plain parameters bound by their type.
 *
 * <p>Invariants: stateless static functions; each works on the statement or result set it is handed,
 * on the caller's thread, and neither closes it nor moves past the row it was given.
 */
final class StoreRows {

    private StoreRows() {
    }

    static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value instanceof String text) {
                statement.setString(i + 1, text);
            }
            else if (value == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            }
            else {
                statement.setObject(i + 1, value);
            }
        }
    }

    static void bindTask(PreparedStatement statement, TaskRecord r) throws SQLException {
        bindTask(statement, r, 1);
    }

    /** Binds {@code r} from parameter {@code i} on; the index after it. */
    static int bindTask(PreparedStatement statement, TaskRecord r, int first) throws SQLException {
        int i = first;
        statement.setLong(i++, r.id());
        statement.setLong(i++, r.parentId());
        statement.setLong(i++, r.rootId());
        statement.setString(i++, Texts.cut(r.name(), 200));
        statement.setString(i++, r.status());
        statement.setString(i++, r.priority());
        statement.setString(i++, Texts.cut(r.group(), 200));
        statement.setString(i++, Texts.cut(r.runtime(), 64));
        statement.setString(i++, Texts.tagsColumn(r, 4000));
        statement.setLong(i++, r.createdAt());
        statement.setLong(i++, r.startedAt());
        statement.setLong(i++, r.completedAt());
        statement.setInt(i++, r.attempts());
        statement.setString(i++, Texts.cut(r.failureType(), 200));
        statement.setString(i++, Texts.cut(r.failureMessage(), 2000));
        statement.setLong(i++, r.queueWaitNanos());
        statement.setLong(i++, r.runNanos());
        statement.setLong(i++, r.cpuNanos());
        statement.setLong(i++, r.allocatedBytes());
        statement.setLong(i++, r.bytesRead());
        statement.setLong(i++, r.bytesWritten());
        statement.setString(i++, r.resourceSources());
        statement.setString(i++, Texts.cut(r.member(), 200));
        statement.setLong(i++, r.incarnation());
        statement.setBoolean(i++, r.durable());
        return i;
    }

    static TaskRecord task(ResultSet row) throws SQLException {
        return new TaskRecord(row.getLong("id"), row.getLong("parent_id"), row.getLong("root_id"), row.getString("name"),
                row.getString("status"), row.getString("priority"), row.getString("group_name"), row.getString("runtime"),
                Texts.tags(row.getString("tags")), row.getLong("created_at"), row.getLong("started_at"),
                row.getLong("completed_at"), row.getInt("attempts"), row.getString("failure_type"),
                row.getString("failure_message"), row.getLong("queue_wait_nanos"), row.getLong("run_nanos"),
                row.getLong("cpu_nanos"), row.getLong("allocated_bytes"), row.getLong("bytes_read"),
                row.getLong("bytes_written"), row.getString("resource_sources"), row.getString("member"),
                row.getLong("incarnation"), row.getBoolean("durable"));
    }

    static DurableRecord durable(ResultSet row) throws SQLException {
        return new DurableRecord(row.getLong("id"), row.getString("handler"), row.getString("argument"),
                row.getString("status"), row.getInt("attempts"), row.getLong("owner"), row.getString("result"),
                row.getString("failure"), row.getLong("created_at"), row.getInt("lost_runs"), row.getString("settings"));
    }
}
