package io.sweetasync.jdbc;

import io.sweetasync.TaskId;
import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Task records: written in one batch and one transaction per call (H2: one upsert per row in a JDBC batch;
 * PostgreSQL: up to {@value StoreSql#ROWS_PER_STATEMENT} rows per statement), read by id or a page at a
 * time (newest first), and purged with the finished durable invocations and dead members they outlived (never the
 * record of a durable invocation still pending: its re-run is made from it).
 *
 * <p>Invariants: thread-safe, no state of its own beyond the store's connections and statements; the
 * writes of one {@link #save} call commit together (or belong to the caller's transaction), reads see
 * committed rows only. A durable task's record is replaced only by its invocation's owner (see
 * {@link StoreSql#upsertTask()}).
 */
final class TaskRecords {

    private final String prefix;
    private final StoreConnections connections;
    private final StoreSql sql;
    private final StoreClock clock;

    TaskRecords(String prefix, StoreConnections connections, StoreSql sql, StoreClock clock) {
        this.prefix = prefix;
        this.connections = connections;
        this.sql = sql;
        this.clock = clock;
    }

    /** See {@link JdbcTaskStore#save(Collection)}. */
    void save(Collection<TaskRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (connections.dialectNow() == Dialect.H2) {
            connections.batch(sql.upsertTask(), records, StoreRows::bindTask);
            return;
        }
        // PostgreSQL: many rows per statement (a tenth of the server's work per row of one-row statements).
        // One statement may not touch a row twice, so the last record of a task wins within the call.
        List<TaskRecord> rows = new ArrayList<>(records.stream().collect(Collectors.toMap(
                TaskRecord::id, record -> record, (first, last) -> last, LinkedHashMap::new)).values());
        connections.transaction(connection -> {
            for (int from = 0; from < rows.size(); from += StoreSql.ROWS_PER_STATEMENT) {
                List<TaskRecord> chunk = rows.subList(from, Math.min(rows.size(), from + StoreSql.ROWS_PER_STATEMENT));
                try (PreparedStatement upsert = connections.prepare(connection, sql.upsertTasks(chunk.size()))) {
                    int index = 1;
                    for (TaskRecord record : chunk) {
                        index = StoreRows.bindTask(upsert, record, index);
                    }
                    upsert.executeUpdate();
                }
            }
            return null;
        });
    }

    /** See {@link JdbcTaskStore#find(TaskId)}. */
    Optional<TaskRecord> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        return connections.byId("SELECT " + StoreSql.TASK_COLUMNS + " FROM " + prefix + "task WHERE id = ?", id.value(),
                StoreRows::task);
    }

    /** {@code instant}'s epoch milliseconds, {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE} beyond them. */
    static long epochMilliSaturated(Instant instant) {
        try {
            return instant.toEpochMilli();
        }
        catch (ArithmeticException ex) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** See {@link JdbcTaskStore#query(TaskQuery)}. */
    List<TaskRecord> query(TaskQuery query) {
        Objects.requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder("SELECT " + StoreSql.TASK_COLUMNS + " FROM " + prefix + "task WHERE 1 = 1");
        List<Object> parameters = new ArrayList<>();
        if (query.status() != null) {
            sql.append(" AND status = ?");
            parameters.add(query.status());
        }
        if (query.name() != null) {
            sql.append(" AND name = ?");
            parameters.add(query.name());
        }
        if (query.since() != null) {
            sql.append(" AND created_at >= ?");
            parameters.add(epochMilliSaturated(query.since())); // any Instant: far ones are "before/after all"
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
        parameters.add(query.limit());
        parameters.add(query.offset());
        return connections.list(sql.toString(), StoreRows::task, parameters.toArray());
    }

    /** See {@link JdbcTaskStore#purge(Instant)}. */
    int purge(Instant before) {
        long cutoff = epochMilliSaturated(Objects.requireNonNull(before, "before")); // Instant.MAX: everything finished
        // Not the record of an invocation still pending (its run handed over by a graceful close ended the record
        // CANCELLED): its re-run takes its name, tags, priority, group and runtime from it.
        int tasks = connections.update("DELETE FROM " + prefix + "task WHERE completed_at > 0 AND completed_at < ? AND "
                + "NOT EXISTS (SELECT 1 FROM " + prefix + "durable d WHERE d.id = " + prefix + "task.id AND d.status = "
                + "'PENDING')", cutoff);
        long storeCutoff = clock.toStore(cutoff); // the durable invocations' changes and the leases are in store time
        connections.update("DELETE FROM " + prefix + "durable WHERE status <> 'PENDING' AND updated_at < ?",
                storeCutoff);
        connections.update("DELETE FROM " + prefix + "member WHERE lease_until < ? AND NOT EXISTS (SELECT 1 FROM "
                + prefix + "durable d WHERE d.owner = " + prefix + "member.incarnation AND d.status = 'PENDING')",
                storeCutoff);
        return tasks;
    }
}
