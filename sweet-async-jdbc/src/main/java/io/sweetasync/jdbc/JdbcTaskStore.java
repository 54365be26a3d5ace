package io.sweetasync.jdbc;

import io.sweetasync.TaskId;
import io.sweetasync.TaskLostException;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link TaskStore} on a plain {@link DataSource}: H2 (one member: H2 has no row locks to share
 * claims across processes) and PostgreSQL (any number of members). Three tables, named with a prefix
 * ({@code sweet_async_} by default): members and their leases, task records, durable invocations.
 * Create them with {@link #initializeSchema()} or run the scripts under {@code db/sweet-async/h2} and
 * {@code db/sweet-async/postgresql} with your own Flyway (they are named as Flyway expects).
 *
 * <p>Instants are stored as epoch milliseconds taken from this JVM's clock: members sharing a store
 * need clocks in step to well within the lease. Claims are made with a compare-and-set on the owner
 * column, so a durable invocation is claimed by exactly one member at a time on any database.
 * No method holds a connection between calls; writes of task records are one batch and one
 * transaction. {@link #enqueue} leaves the connection's transaction alone, so that inside a Spring
 * transaction (a {@code TransactionAwareDataSourceProxy}) the invocation is stored in that
 * transaction.
 *
 * <pre>{@code
 * JdbcTaskStore store = new JdbcTaskStore(dataSource);
 * store.initializeSchema();
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store)
 *         .durableCodec(new JsonDurableCodec()).build();
 * }</pre>
 */
public final class JdbcTaskStore implements TaskStore {

    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,30}");
    private static final String LIVE = "('PENDING','QUEUED','RUNNING')";
    private static final String TASK_COLUMNS = "id, parent_id, root_id, name, status, priority, group_name, runtime, "
            + "tags, created_at, started_at, completed_at, attempts, failure_type, failure_message, queue_wait_nanos, "
            + "run_nanos, cpu_nanos, allocated_bytes, bytes_read, bytes_written, resource_sources, member, incarnation, "
            + "durable";
    private static final String DURABLE_COLUMNS = "id, handler, argument, status, attempts, owner, result, failure, "
            + "created_at, lost_runs, settings";

    private final DataSource dataSource;
    private final String prefix;
    private volatile Dialect dialect;
    /**
     * Statements built once per shape (a dialect, a number of rows: at most 2 x 100 + 1 of them), not at
     * every write of the store's thread.
     */
    private final java.util.Map<String, String> statements = new java.util.concurrent.ConcurrentHashMap<>();

    /** The database kinds this store speaks. */
    public enum Dialect {
        H2("h2"), POSTGRESQL("postgresql");

        private final String folder;

        Dialect(String folder) {
            this.folder = folder;
        }

        /**
         * The classpath locations of this database's schema scripts, to run in order (each is idempotent;
         * named as Flyway expects, so a Flyway location {@code classpath:db/sweet-async/<database>} finds them).
         */
        public List<String> schemaScripts() {
            return List.of("db/sweet-async/" + folder + "/V1__sweet_async.sql",
                    "db/sweet-async/" + folder + "/V2__sweet_async_lost_runs.sql",
                    "db/sweet-async/" + folder + "/V3__sweet_async_durable_settings.sql");
        }
    }

    /** A store with tables named {@code sweet_async_*}. */
    public JdbcTaskStore(DataSource dataSource) {
        this(dataSource, "sweet_async_");
    }

    /**
     * A store whose tables are named {@code <tablePrefix>member}, {@code <tablePrefix>task} and
     * {@code <tablePrefix>durable}.
     *
     * @throws IllegalArgumentException if the prefix is not lower-case letters, digits and '_' (at most 31)
     */
    public JdbcTaskStore(DataSource dataSource, String tablePrefix) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(tablePrefix, "tablePrefix");
        if (!PREFIX.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("table prefix must be lower-case letters, digits and '_' (at most 31, "
                    + "not starting with a digit), was '" + tablePrefix + "'");
        }
        this.prefix = tablePrefix;
    }

    /** The database kind, read from the connection's metadata on first use. */
    public Dialect dialect() {
        return run(connection -> dialect);
    }

    private static Dialect detect(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        if (product.equalsIgnoreCase("H2")) {
            return Dialect.H2;
        }
        if (product.equalsIgnoreCase("PostgreSQL")) {
            return Dialect.POSTGRESQL;
        }
        throw new TaskStoreException("the task store supports H2 and PostgreSQL, not " + product, null);
    }

    /** Creates the store's tables, sequence and indexes where missing (idempotent). */
    public void initializeSchema() {
        List<String> scripts = dialect().schemaScripts().stream()
                .map(location -> SchemaScript.read(location).replace("sweet_async_", prefix)).toList();
        run(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (String script : scripts) {
                    for (String sql : SchemaScript.statements(script)) {
                        statement.execute(sql);
                    }
                }
            }
            return null;
        });
    }

    // ---- members ----------------------------------------------------------------------------------

    @Override
    public Incarnation open(String member, Duration lease) {
        return open(member, lease, 1);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Takes the next value of the incarnation sequence; when that is below {@code atLeast}, takes the
     * sequence's next {@code atLeast - next} values in one query and keeps the largest, so the sequence only
     * ever moves forward (never reset, whatever other members open at the same time) and the number is
     * handed out once.
     */
    @Override
    public Incarnation open(String member, Duration lease, long atLeast) {
        Objects.requireNonNull(member, "member");
        if (atLeast < 1 || atLeast > TaskId.MAX_INCARNATION) {
            throw new IllegalArgumentException("atLeast must be between 1 and " + TaskId.MAX_INCARNATION + ", was "
                    + atLeast);
        }
        long now = System.currentTimeMillis();
        long until = leaseUntil(now, lease);
        String name = Texts.cut(member, 200); // as a task record's member: a longer name failed the insert
        long number = run(connection -> {
            long next = nextIncarnations(connection, 1);
            if (next < atLeast) {
                next = nextIncarnations(connection, atLeast - next); // distinct values above next: the last >= atLeast
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + prefix
                    + "member (incarnation, member, started_at, lease_until) VALUES (?, ?, ?, ?)")) {
                insert.setLong(1, next);
                insert.setString(2, name);
                insert.setLong(3, now);
                insert.setLong(4, until);
                insert.executeUpdate();
            }
            return next;
        });
        markLost(now);
        return new Incarnation(number, member, Instant.ofEpochMilli(until));
    }

    /**
     * When a lease of {@code lease} taken at {@code now} ends, in epoch milliseconds: a huge lease ends "never"
     * ({@code Long.MAX_VALUE}) and a hugely negative one has always ended, where both failed with an overflow
     * naming nothing; a lease that is not positive has ended already (its member counts as dead at once).
     */
    private static long leaseUntil(long now, Duration lease) {
        Objects.requireNonNull(lease, "lease");
        try {
            return Math.addExact(now, lease.toMillis());
        }
        catch (ArithmeticException beyond) {
            return lease.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Takes {@code count} values of the incarnation sequence; returns the largest. */
    private long nextIncarnations(Connection connection, long count) throws SQLException {
        String sql = dialect == Dialect.H2
                ? "SELECT NEXT VALUE FOR " + prefix + "incarnation_seq FROM SYSTEM_RANGE(1, ?)"
                : "SELECT nextval('" + prefix + "incarnation_seq') FROM generate_series(1, ?)";
        long largest = 0;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, count);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    largest = Math.max(largest, rows.getLong(1));
                }
            }
        }
        return largest;
    }

    @Override
    public int heartbeat(long incarnation, Duration lease) {
        long now = System.currentTimeMillis();
        long until = leaseUntil(now, lease);
        int renewed = update("UPDATE " + prefix + "member SET lease_until = ? WHERE incarnation = ?", until,
                incarnation);
        if (renewed == 0) {
            // Purged while this member could not renew (its lease lapsed longer than the retention): register
            // it again, or its own pending work would look orphaned and run twice.
            update("INSERT INTO " + prefix + "member (incarnation, member, started_at, lease_until) VALUES (?, ?, ?, ?)",
                    incarnation, "member of incarnation " + incarnation, now, until);
        }
        return markLost(now);
    }

    @Override
    public void close(long incarnation) {
        update("UPDATE " + prefix + "member SET lease_until = 0 WHERE incarnation = ?", incarnation);
    }

    /** Ends the live non-durable tasks of incarnations whose lease expired before {@code now}. */
    private int markLost(long now) {
        return update("UPDATE " + prefix + "task SET status = 'FAILED', failure_type = 'TaskLostException', "
                + "failure_message = CONCAT(?, (SELECT m.member FROM " + prefix + "member m WHERE m.incarnation = "
                + prefix + "task.incarnation), ')'), completed_at = ? WHERE status IN " + LIVE + " AND durable = FALSE "
                + "AND incarnation IN (SELECT incarnation FROM " + prefix + "member WHERE lease_until < ?)",
                TaskLostException.MESSAGE + " (member ", now, now);
    }

    // ---- task records -----------------------------------------------------------------------------

    @Override
    public void save(Collection<TaskRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if ((dialect == null ? dialect() : dialect) == Dialect.H2) {
            batch(upsertTask(), records, JdbcTaskStore::bindTask);
            return;
        }
        // PostgreSQL: many rows per statement (a tenth of the server's work per row of one-row statements).
        // One statement may not touch a row twice, so the last record of a task wins within the call.
        List<TaskRecord> rows = new ArrayList<>(records.stream().collect(java.util.stream.Collectors.toMap(
                TaskRecord::id, record -> record, (first, last) -> last, java.util.LinkedHashMap::new)).values());
        transaction(connection -> {
            for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
                List<TaskRecord> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
                try (PreparedStatement upsert = connection.prepareStatement(upsertTasks(chunk.size()))) {
                    int index = 1;
                    for (TaskRecord record : chunk) {
                        index = bindTask(upsert, record, index);
                    }
                    upsert.executeUpdate();
                }
            }
            return null;
        });
    }

    private static final int ROWS_PER_STATEMENT = 100;

    @FunctionalInterface
    private interface Binder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /** One statement for every row, as one JDBC batch in one transaction (or the caller's); the update counts. */
    private <T> int[] batch(String sql, Collection<T> rows, Binder<T> binder) {
        return transaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (T row : rows) {
                    binder.bind(statement, row);
                    statement.addBatch();
                }
                return statement.executeBatch();
            }
        });
    }

    /**
     * {@code work} in one transaction of its own, committed at the end; or, on a connection that is in a
     * transaction already (auto-commit off: a Spring transaction through a transaction-aware data
     * source), as part of that one, left to its owner to commit or roll back.
     */
    private <T> T transaction(Work<T> work) {
        return run(connection -> {
            boolean auto = connection.getAutoCommit();
            if (auto) {
                connection.setAutoCommit(false);
            }
            try {
                T result = work.apply(connection);
                if (auto) {
                    connection.commit();
                }
                return result;
            }
            catch (SQLException | RuntimeException ex) {
                if (auto) {
                    connection.rollback();
                }
                throw ex;
            }
            finally {
                if (auto) {
                    connection.setAutoCommit(true);
                }
            }
        });
    }

    /**
     * Inserts a task record or replaces it, except that a durable task's record is replaced only by its
     * invocation's current owner: a member whose lease lapsed (a partition, a long pause) cannot overwrite
     * what the member that took the task over wrote. PostgreSQL: {@code INSERT ... ON CONFLICT DO UPDATE
     * ... WHERE}; H2: the standard {@code MERGE ... WHEN MATCHED AND}.
     */
    private String upsertTask() {
        return statements.computeIfAbsent("task:" + dialect, key -> buildUpsertTask());
    }

    private String buildUpsertTask() {
        String[] columns = TASK_COLUMNS.split(", ");
        if (dialect == Dialect.H2) {
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
    private String upsertTasks(int rows) {
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
        return "NOT " + prefix + "task.durable OR " + incoming + ".incarnation = (SELECT d.owner FROM " + prefix
                + "durable d WHERE d.id = " + incoming + ".id)";
    }

    /** The SQL types of {@link #TASK_COLUMNS}, in order (H2 needs them for parameters in a MERGE source). */
    private static final String[] H2_TYPES = { "BIGINT", "BIGINT", "BIGINT", "VARCHAR(200)", "VARCHAR(16)",
            "VARCHAR(16)", "VARCHAR(200)", "VARCHAR(64)", "VARCHAR(4000)", "BIGINT", "BIGINT", "BIGINT", "INT",
            "VARCHAR(200)", "VARCHAR(2000)", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "CHAR(4)",
            "VARCHAR(200)", "BIGINT", "BOOLEAN" };

    private static void bindTask(PreparedStatement statement, TaskRecord r) throws SQLException {
        bindTask(statement, r, 1);
    }

    /** Binds {@code r} from parameter {@code i} on; the index after it. */
    private static int bindTask(PreparedStatement statement, TaskRecord r, int first) throws SQLException {
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

    private static TaskRecord task(ResultSet row) throws SQLException {
        return new TaskRecord(row.getLong("id"), row.getLong("parent_id"), row.getLong("root_id"), row.getString("name"),
                row.getString("status"), row.getString("priority"), row.getString("group_name"), row.getString("runtime"),
                Texts.tags(row.getString("tags")), row.getLong("created_at"), row.getLong("started_at"),
                row.getLong("completed_at"), row.getInt("attempts"), row.getString("failure_type"),
                row.getString("failure_message"), row.getLong("queue_wait_nanos"), row.getLong("run_nanos"),
                row.getLong("cpu_nanos"), row.getLong("allocated_bytes"), row.getLong("bytes_read"),
                row.getLong("bytes_written"), row.getString("resource_sources"), row.getString("member"),
                row.getLong("incarnation"), row.getBoolean("durable"));
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + TASK_COLUMNS + " FROM " + prefix
                    + "task WHERE id = ?")) {
                select.setLong(1, id.value());
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(task(rows)) : Optional.empty();
                }
            }
        });
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

    @Override
    public List<TaskRecord> query(TaskQuery query) {
        Objects.requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder("SELECT " + TASK_COLUMNS + " FROM " + prefix + "task WHERE 1 = 1");
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
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                bind(select, parameters.toArray());
                List<TaskRecord> found = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(task(rows));
                    }
                }
                return found;
            }
        });
    }

    @Override
    public int purge(Instant before) {
        long cutoff = epochMilliSaturated(Objects.requireNonNull(before, "before")); // Instant.MAX: everything finished
        int tasks = update("DELETE FROM " + prefix + "task WHERE completed_at > 0 AND completed_at < ?", cutoff);
        update("DELETE FROM " + prefix + "durable WHERE status <> 'PENDING' AND updated_at < ?", cutoff);
        update("DELETE FROM " + prefix + "member WHERE lease_until < ? AND NOT EXISTS (SELECT 1 FROM " + prefix
                + "durable d WHERE d.owner = " + prefix + "member.incarnation AND d.status = 'PENDING')", cutoff);
        return tasks;
    }

    // ---- durable invocations ----------------------------------------------------------------------

    @Override
    public void enqueue(DurableRecord invocation, TaskRecord task) {
        // Both rows or neither, in one commit; inside a surrounding transaction both belong to it instead.
        transaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + prefix + "durable (id, handler, "
                    + "argument, status, attempts, owner, result, failure, created_at, updated_at, lost_runs, settings) VALUES "
                    + "(?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)")) {
                bind(insert, invocation.id(), invocation.handler(), invocation.argument(), invocation.status(),
                        invocation.attempts(), invocation.owner(), invocation.createdAt(), invocation.createdAt(),
                        invocation.lostRuns(), invocation.settings());
                insert.executeUpdate();
            }
            try (PreparedStatement upsert = connection.prepareStatement(upsertTask())) {
                bindTask(upsert, task);
                upsert.executeUpdate();
            }
            return null;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads the candidates, then claims each with a compare-and-set on its owner; a claimed invocation is
     * answered from what was read and the claim's own changes, never read again after the claim: a claim is
     * committed the moment its update is, so a read failing after it would leave this live member owning an
     * invocation it never heard of (nobody claims it while this member renews its lease; only its looks at
     * {@link #owned} would find it, two renewals later). If a claim fails
     * after others succeeded, those are answered (the failed one was not claimed, or is answered by a later
     * look); only a call that claimed nothing throws.
     */
    @Override
    public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
        if (handlers.isEmpty() || limit < 1) {
            return List.of();
        }
        long now = System.currentTimeMillis();
        String in = "?" + ", ?".repeat(handlers.size() - 1);
        List<DurableRecord> candidates = run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + DURABLE_COLUMNS + " FROM " + prefix
                    + "durable d WHERE status = 'PENDING' AND handler IN (" + in + ") AND NOT EXISTS (SELECT 1 FROM "
                    + prefix + "member m WHERE m.incarnation = d.owner AND m.lease_until >= ?) ORDER BY created_at "
                    + "LIMIT ?")) {
                List<Object> parameters = new ArrayList<>(handlers);
                parameters.add(now);
                parameters.add(limit);
                bind(select, parameters.toArray());
                List<DurableRecord> found = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(durable(rows));
                    }
                }
                return found;
            }
        });
        List<DurableRecord> claimed = new ArrayList<>();
        for (DurableRecord candidate : candidates) {
            // Compare-and-set on the owner: of members racing for the same orphan, exactly one wins. Owner 0: its
            // last run was handed over by a graceful close (releaseDurables), so that run was not lost.
            int lost = candidate.owner() == RELEASED ? 0 : 1;
            int won;
            try {
                won = update("UPDATE " + prefix + "durable SET owner = ?, attempts = attempts + 1, lost_runs = "
                        + "lost_runs + ?, updated_at = ? WHERE id = ? AND owner = ? AND attempts = ? AND status = "
                        + "'PENDING'", incarnation, lost, now, candidate.id(), candidate.owner(), candidate.attempts());
            }
            catch (RuntimeException ex) {
                if (claimed.isEmpty()) {
                    throw ex;
                }
                break; // the claims made stand, and are answered
            }
            if (won == 1) {
                claimed.add(new DurableRecord(candidate.id(), candidate.handler(), candidate.argument(), "PENDING",
                        candidate.attempts() + 1, incarnation, null, null, candidate.createdAt(),
                        candidate.lostRuns() + lost, candidate.settings()));
            }
        }
        return claimed;
    }

    /** The owner of an invocation whose run a graceful close handed over: no member's incarnation (they start at 1). */
    private static final long RELEASED = 0;

    /**
     * {@inheritDoc}
     *
     * <p>Sets their owner to none (0): any member may claim them at once, without waiting for this
     * member's lease, and that claim does not count a lost run.
     */
    @Override
    public void releaseDurables(long owner, Collection<TaskId> ids) {
        List<TaskId> all = List.copyOf(ids);
        long now = System.currentTimeMillis();
        for (int from = 0; from < all.size(); from += ROWS_PER_STATEMENT) {
            List<TaskId> chunk = all.subList(from, Math.min(all.size(), from + ROWS_PER_STATEMENT));
            List<Object> parameters = new ArrayList<>(chunk.size() + 3);
            parameters.add(RELEASED);
            parameters.add(now);
            parameters.add(owner);
            chunk.forEach(id -> parameters.add(id.value()));
            update("UPDATE " + prefix + "durable SET owner = ?, updated_at = ? WHERE owner = ? AND status = 'PENDING' "
                    + "AND id IN (?" + ", ?".repeat(chunk.size() - 1) + ")", parameters.toArray());
        }
    }

    private static final String FINISH_DURABLE = "durable SET status = ?, result = ?, failure = ?, updated_at = ? "
            + "WHERE id = ? AND owner = ? AND status = 'PENDING'";

    @Override
    public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
        return finishDurables(List.of(new DurableEnd(id, owner, status, result, failure)))[0];
    }

    @Override
    public boolean[] finishDurables(List<DurableEnd> ends) {
        if (ends.isEmpty()) {
            return new boolean[0];
        }
        long now = System.currentTimeMillis();
        if ((dialect == null ? dialect() : dialect) == Dialect.POSTGRESQL) {
            return finishDurablesTogether(ends, now);
        }
        int[] counts = batch("UPDATE " + prefix + FINISH_DURABLE, ends, (statement, end) -> bind(statement,
                end.status(), Texts.clean(end.result()), Texts.cut(end.failure(), 2000), now, end.id().value(),
                end.owner()));
        boolean[] recorded = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            // SUCCESS_NO_INFO (-2): the driver ran it but does not say; only the owner's run can have matched.
            recorded[i] = counts[i] == 1 || counts[i] == Statement.SUCCESS_NO_INFO;
        }
        return recorded;
    }

    private String finishTogether(int rows) {
        return statements.computeIfAbsent("ends:" + rows, key -> {
            String row = "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?)";
            return "UPDATE " + prefix + "durable d SET status = v.status, result = v.result, failure = v.failure, "
                    + "updated_at = ? FROM (VALUES " + row + (", " + row).repeat(rows - 1) + ") AS v(id, owner, status, "
                    + "result, failure) WHERE d.id = v.id AND d.owner = v.owner AND d.status = 'PENDING' RETURNING d.id";
        });
    }

    /** PostgreSQL: up to 100 ends per statement, the recorded ones told by {@code RETURNING}. */
    private boolean[] finishDurablesTogether(List<DurableEnd> ends, long now) {
        java.util.Set<Long> recorded = new java.util.HashSet<>();
        transaction(connection -> {
            for (int from = 0; from < ends.size(); from += ROWS_PER_STATEMENT) {
                List<DurableEnd> chunk = ends.subList(from, Math.min(ends.size(), from + ROWS_PER_STATEMENT));
                try (PreparedStatement update = connection.prepareStatement(finishTogether(chunk.size()))) {
                    int i = 1;
                    update.setLong(i++, now);
                    for (DurableEnd end : chunk) {
                        update.setLong(i++, end.id().value());
                        update.setLong(i++, end.owner());
                        update.setString(i++, end.status());
                        update.setString(i++, Texts.clean(end.result()));
                        update.setString(i++, Texts.cut(end.failure(), 2000));
                    }
                    try (ResultSet rows = update.executeQuery()) {
                        while (rows.next()) {
                            recorded.add(rows.getLong(1));
                        }
                    }
                }
            }
            return null;
        });
        boolean[] answer = new boolean[ends.size()];
        for (int i = 0; i < answer.length; i++) {
            answer[i] = recorded.contains(ends.get(i).id().value());
        }
        return answer;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One indexed query per page ({@code status, owner}); committed rows only, on H2 and PostgreSQL alike
     * (both read committed), and no row lock taken.
     */
    @Override
    public List<TaskId> owned(long incarnation, TaskId after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT id FROM " + prefix + "durable WHERE "
                    + "status = 'PENDING' AND owner = ? AND id > ? ORDER BY id LIMIT ?")) {
                bind(select, incarnation, after == null ? Long.MIN_VALUE : after.value(), limit);
                List<TaskId> found = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(new TaskId(rows.getLong(1)));
                    }
                }
                return found;
            }
        });
    }

    @Override
    public Optional<DurableRecord> durable(TaskId id) {
        Objects.requireNonNull(id, "id");
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + DURABLE_COLUMNS + " FROM " + prefix
                    + "durable WHERE id = ?")) {
                select.setLong(1, id.value());
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(durable(rows)) : Optional.empty();
                }
            }
        });
    }

    private static DurableRecord durable(ResultSet row) throws SQLException {
        return new DurableRecord(row.getLong("id"), row.getString("handler"), row.getString("argument"),
                row.getString("status"), row.getInt("attempts"), row.getLong("owner"), row.getString("result"),
                row.getString("failure"), row.getLong("created_at"), row.getInt("lost_runs"), row.getString("settings"));
    }

    // ---- plumbing ---------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T run(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            if (dialect == null) {
                dialect = detect(connection);
            }
            return work.apply(connection);
        }
        catch (SQLException ex) {
            throw new TaskStoreException("task store (" + prefix + "*): " + ex.getMessage(), ex);
        }
    }

    private int update(String sql, Object... parameters) {
        return run(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bind(statement, parameters);
                return statement.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value instanceof String text) {
                statement.setString(i + 1, text);
            }
            else if (value == null) {
                statement.setNull(i + 1, java.sql.Types.VARCHAR);
            }
            else {
                statement.setObject(i + 1, value);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbcTaskStore[" + prefix + "*]";
    }
}
