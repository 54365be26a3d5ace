package io.sweetasync.jdbc;

import io.sweetasync.TaskId;
import io.sweetasync.jdbc.JdbcTaskStore.Dialect;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore.DurableEnd;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;

/**
 * Durable invocations and their claims: one enqueued with its task's record, orphans (whose owner's lease
 * lapsed, or that a graceful close released) claimed, released, ended by their owner, and the owned ones
 * listed a page at a time.
 *
 * <p>Invariants: thread-safe, no state of its own beyond the store's connections and statements. Every
 * change of an invocation is guarded by its owner column: a claim is a compare-and-set on owner and
 * attempts (of members racing for one orphan exactly one wins), made only while the old owner's lease has still
 * lapsed, read again under a lock on its member row ({@link #claim}), a release and an end match only the
 * current owner's pending row, so a member whose lease lapsed changes nothing that another took over.
 * {@link #enqueue} writes both rows in one transaction (or the caller's); each claim commits alone.
 */
final class DurableInvocations {

    /** The owner of an invocation whose run a graceful close handed over: no member's incarnation (they start at 1). */
    private static final long RELEASED = 0;

    private final String prefix;
    private final StoreConnections connections;
    private final StoreSql sql;
    private final StoreClock clock;

    DurableInvocations(String prefix, StoreConnections connections, StoreSql sql, StoreClock clock) {
        this.prefix = prefix;
        this.connections = connections;
        this.sql = sql;
        this.clock = clock;
    }

    /** See {@link JdbcTaskStore#enqueue(DurableRecord, TaskRecord)}. */
    void enqueue(DurableRecord invocation, TaskRecord task) {
        // Both rows or neither, in one commit; inside a surrounding transaction both belong to it instead.
        connections.transaction(connection -> {
            try (PreparedStatement insert = connections.prepare(connection, "INSERT INTO " + prefix
                    + "durable (id, handler, argument, status, attempts, owner, result, failure, created_at, updated_at, "
                    + "lost_runs, settings) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)")) {
                StoreRows.bind(insert, invocation.id(), invocation.handler(), invocation.argument(), invocation.status(),
                        invocation.attempts(), invocation.owner(), invocation.createdAt(),
                        clock.toStore(invocation.createdAt()),
                        invocation.lostRuns(), invocation.settings());
                insert.executeUpdate();
            }
            try (PreparedStatement upsert = connections.prepare(connection, sql.upsertTask())) {
                StoreRows.bindTask(upsert, task);
                upsert.executeUpdate();
            }
            return null;
        });
    }

    /** See {@link JdbcTaskStore#claimOrphans(long, Collection, int)}. */
    List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
        if (handlers.isEmpty() || limit < 1) {
            return List.of();
        }
        List<Object> parameters = new ArrayList<>(handlers);
        return claimWhere("handler IN (" + marks(handlers.size()) + ")", parameters, incarnation, limit, true);
    }

    /** See {@link JdbcTaskStore#claimUnresolved(long, Collection, Instant, int)}. */
    List<DurableRecord> claimUnresolved(long incarnation, Collection<String> handlers, Instant idleBefore, int limit) {
        if (limit < 1) {
            return List.of();
        }
        // Unclaimed for that long: unchanged since, and its owner's lease lapsed before it too (a run that went on
        // for longer on a member that died a moment ago was not waiting; a member that registers it claims it now).
        List<Object> parameters = new ArrayList<>(handlers);
        long idle = clock.toStore(idleBefore.toEpochMilli()); // compared with updated_at and leases: store time
        parameters.add(idle);
        parameters.add(idle);
        String unknown = handlers.isEmpty() ? "" : "handler NOT IN (" + marks(handlers.size()) + ") AND ";
        return claimWhere(unknown + "updated_at < ? AND NOT EXISTS (SELECT 1 FROM " + prefix + "member w WHERE "
                + "w.incarnation = d.owner AND w.lease_until >= ?)", parameters, incarnation, limit, false);
    }

    private static String marks(int count) {
        return "?" + ", ?".repeat(count - 1);
    }

    /**
     * Claims for {@code incarnation} up to {@code limit} pending invocations matching {@code condition} (its
     * {@code parameters} first) whose owner's lease has lapsed, or that have none, each with {@link #claim}; their
     * attempts go up by one if they are claimed {@code toRun} again, and stay as they are if claimed to be ended
     * unrun (which is no lost run either).
     */
    private List<DurableRecord> claimWhere(String condition, List<Object> parameters, long incarnation, int limit,
            boolean toRun) {
        int attempt = toRun ? 1 : 0;
        long now = clock.now();
        parameters.add(incarnation);
        parameters.add(now);
        parameters.add(limit);
        // Never its own: a member whose own lease lapsed (its renewals failed while this call goes through) runs them
        // already; claiming them ran each again beside its first run, and counted a lost run at every claim.
        List<DurableRecord> candidates = connections.list("SELECT " + StoreSql.DURABLE_COLUMNS + " FROM " + prefix
                + "durable d WHERE status = 'PENDING' AND " + condition + " AND owner <> ? AND NOT EXISTS (SELECT 1 "
                + "FROM " + prefix + "member m WHERE m.incarnation = d.owner AND m.lease_until >= ?) ORDER BY created_at "
                + "LIMIT ?", StoreRows::durable, parameters.toArray());
        List<DurableRecord> claimed = new ArrayList<>();
        for (DurableRecord candidate : candidates) {
            // Compare-and-set on the owner: of members racing for the same orphan, exactly one wins. Owner 0: its
            // last run was handed over by a graceful close (releaseDurables), so that run was not lost.
            int lost = candidate.owner() == RELEASED || !toRun ? 0 : 1;
            int won;
            try {
                won = claim(incarnation, candidate, attempt, lost, now);
            }
            catch (RuntimeException ex) {
                if (claimed.isEmpty()) {
                    throw ex;
                }
                break; // the claims made stand, and are answered
            }
            if (won == 1) {
                claimed.add(new DurableRecord(candidate.id(), candidate.handler(), candidate.argument(), "PENDING",
                        candidate.attempts() + attempt, incarnation, null, null, candidate.createdAt(),
                        candidate.lostRuns() + lost, candidate.settings()));
            }
        }
        return claimed;
    }

    /**
     * Claims {@code candidate}, read as an orphan at {@code now}, for {@code incarnation}, its attempts up by
     * {@code attempt} and its lost runs by {@code lost}; 1 if claimed, else 0. One
     * transaction: the old owner's member row is locked first and its lease read again, and the invocation is taken
     * only if that lease has still lapsed. The read of the orphans is older than this: meanwhile the owner, only cut
     * off, may have reached the store again and renewed its lease, and looked whether anything of its own was taken
     * over (nothing yet), its run going on; a claim landing after that ran the task a second time beside a copy
     * nobody stopped. With the row locked, an owner's renewal either comes first (and this claim takes nothing) or
     * waits for this claim's commit (and its look, which follows its renewal, sees the invocation taken and stops its
     * copy). A released invocation (owner 0) has no member row and is claimed as it is.
     */
    private int claim(long incarnation, DurableRecord candidate, int attempt, int lost, long now) {
        return connections.transaction(connection -> {
            if (candidate.owner() != RELEASED) {
                try (PreparedStatement lease = connections.prepare(connection, "SELECT lease_until FROM " + prefix
                        + "member WHERE incarnation = ? FOR UPDATE")) {
                    lease.setLong(1, candidate.owner());
                    try (ResultSet row = lease.executeQuery()) {
                        if (row.next() && row.getLong(1) >= now) {
                            return 0; // renewed since the orphans were read: its owner is alive and runs it
                        }
                    }
                }
            }
            try (PreparedStatement update = connections.prepare(connection, "UPDATE " + prefix
                    + "durable SET owner = ?, " + (attempt == 1 ? "attempts = attempts + 1, " : "") + "lost_runs = lost_runs + ?, updated_at = ? "
                    + "WHERE id = ? AND owner = ? AND attempts = ? AND status = 'PENDING'")) {
                StoreRows.bind(update, incarnation, lost, now, candidate.id(), candidate.owner(), candidate.attempts());
                return update.executeUpdate();
            }
        });
    }

    /**
     * See {@link JdbcTaskStore#releaseDurables(long, Collection)}; {@code unrun}: {@link JdbcTaskStore#releaseUnrun},
     * the claim's attempt taken back (or a placement's, which its enqueue counted), never below 0: kept at 1, a placed
     * invocation the placed member's shutdown turned back before it ran numbered its first real run attempt 2 (the
     * orchestrator runs a claimed invocation as a re-run whatever its count: DurableStarts). Fenced by the owner as a
     * claim is: this member never claims its own, so the attempt taken back is the one its own claim counted.
     */
    void releaseDurables(long owner, Collection<TaskId> ids, boolean unrun) {
        List<TaskId> all = List.copyOf(ids);
        long now = clock.now();
        for (int from = 0; from < all.size(); from += StoreSql.ROWS_PER_STATEMENT) {
            List<TaskId> chunk = all.subList(from, Math.min(all.size(), from + StoreSql.ROWS_PER_STATEMENT));
            List<Object> parameters = new ArrayList<>(chunk.size() + 3);
            parameters.add(RELEASED);
            parameters.add(now);
            parameters.add(owner);
            chunk.forEach(id -> parameters.add(id.value()));
            connections.update("UPDATE " + prefix + "durable SET owner = ?, updated_at = ?"
                    + (unrun ? ", attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END" : "")
                    + " WHERE owner = ? AND status = 'PENDING' AND id IN (?" + ", ?".repeat(chunk.size() - 1) + ")",
                    parameters.toArray());
        }
    }

    /** See {@link JdbcTaskStore#finishDurables(List)}. */
    boolean[] finishDurables(List<DurableEnd> ends) {
        if (ends.isEmpty()) {
            return new boolean[0];
        }
        long now = clock.now();
        if (connections.dialectNow() == Dialect.POSTGRESQL) {
            return finishDurablesTogether(ends, now);
        }
        int[] counts = connections.batch("UPDATE " + prefix + StoreSql.FINISH_DURABLE, ends, (statement, end) ->
                StoreRows.bind(statement, end.status(), Texts.clean(end.result()), Texts.cut(end.failure(), 2000), now,
                        end.id().value(), end.owner()));
        boolean[] recorded = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            // SUCCESS_NO_INFO (-2): the driver ran it but does not say; only the owner's run can have matched.
            recorded[i] = counts[i] == 1 || counts[i] == Statement.SUCCESS_NO_INFO;
        }
        return recorded;
    }

    /** PostgreSQL: up to 100 ends per statement, the recorded ones told by {@code RETURNING}. */
    private boolean[] finishDurablesTogether(List<DurableEnd> ends, long now) {
        Set<Long> recorded = new HashSet<>();
        connections.transaction(connection -> {
            for (int from = 0; from < ends.size(); from += StoreSql.ROWS_PER_STATEMENT) {
                List<DurableEnd> chunk = ends.subList(from, Math.min(ends.size(), from + StoreSql.ROWS_PER_STATEMENT));
                try (PreparedStatement update = connections.prepare(connection, sql.finishTogether(chunk.size()))) {
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

    /** See {@link JdbcTaskStore#owned(long, TaskId, int)}. */
    List<TaskId> owned(long incarnation, TaskId after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return connections.list("SELECT id FROM " + prefix + "durable WHERE status = 'PENDING' AND owner = ? AND id > ? "
                + "ORDER BY id LIMIT ?", row -> new TaskId(row.getLong(1)), incarnation,
                after == null ? Long.MIN_VALUE : after.value(), limit);
    }

    /** See {@link JdbcTaskStore#durable(TaskId)}. */
    Optional<DurableRecord> durable(TaskId id) {
        Objects.requireNonNull(id, "id");
        return connections.byId("SELECT " + StoreSql.DURABLE_COLUMNS + " FROM " + prefix + "durable WHERE id = ?",
                id.value(), StoreRows::durable);
    }
}
