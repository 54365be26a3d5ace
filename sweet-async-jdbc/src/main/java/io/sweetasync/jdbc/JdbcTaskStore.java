package io.sweetasync.jdbc;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link TaskStore} on a plain {@link DataSource}: H2 (one member: H2 has no row locks to share
 * claims across processes) and PostgreSQL (any number of members). Three tables, named with a prefix
 * ({@code sweet_async_} by default): members and their leases, task records, durable invocations.
 * Create them with {@link #initializeSchema()} or run the scripts under {@code db/sweet-async/h2} and
 * {@code db/sweet-async/postgresql} with your own Flyway (they are named as Flyway expects).
 *
 * <p>Instants are stored as epoch milliseconds. Leases, and the changes of durable invocations compared with them,
 * are kept in the database's time: each member measures how far its clock differs from the database's at its open
 * and at every renewal of its lease, so members whose clocks differ (by minutes, by more than a lease) still agree
 * on whose lease lapsed, and none takes a live member's work. The instants of task records (created, started,
 * completed) are each member's own clock's, as its orchestrator saw them. Claims are made with a compare-and-set on the owner
 * column, so a durable invocation is claimed by exactly one member at a time on any database, and only while its
 * owner's lease has still lapsed, read again under a lock on the owner's member row (an owner that renewed since
 * the orphans were read keeps its run; its renewal waits for a claim under way, and then sees it); a member never
 * claims its own.
 * No method holds a connection between calls; writes of task records are one batch and one
 * transaction. {@link #enqueue} leaves the connection's transaction alone, so that inside a Spring
 * transaction (a {@code TransactionAwareDataSourceProxy}) the invocation is stored in that
 * transaction. A connection with auto-commit off is taken for one in such a transaction, so the
 * {@code DataSource} must hand out connections with auto-commit on outside one (a pool's default;
 * not HikariCP's {@code autoCommit=false}): {@link #open} refuses one that does not.
 *
 * <pre>{@code
 * JdbcTaskStore store = new JdbcTaskStore(dataSource);
 * store.initializeSchema();
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store)
 *         .durableCodec(new JsonDurableCodec()).build();
 * }</pre>
 *
 * <p>This class is the store's face: it checks the prefix and hands each call to the package-private
 * class whose one job it is ({@code MemberLeases}, {@code TaskRecords}, {@code DurableInvocations}; they
 * share {@code StoreConnections}, the SQL built in {@code StoreSql}, the row mapping of {@code StoreRows}
 * and the {@code SchemaScript}; {@code StoreClock} keeps store time). It is thread-safe and holds no mutable state
 * of its own: the fields written after construction are the detected dialect, in {@code StoreConnections}, and how
 * far this JVM's clock differs from the database's, in {@code StoreClock}.
 */
public final class JdbcTaskStore implements TaskStore {

    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,30}");

    private final String prefix;
    private final StoreConnections connections;
    private final MemberLeases members;
    private final TaskRecords tasks;
    private final DurableInvocations durables;

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
        this(dataSource, tablePrefix, System::currentTimeMillis);
    }

    /** A store reading this JVM's wall clock from {@code wallClock} (tests: a member whose clock is off). */
    JdbcTaskStore(DataSource dataSource, String tablePrefix, LongSupplier wallClock) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(tablePrefix, "tablePrefix");
        if (!PREFIX.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("table prefix must be lower-case letters, digits and '_' (at most 31, "
                    + "not starting with a digit), was '" + tablePrefix + "'");
        }
        this.prefix = tablePrefix;
        this.connections = new StoreConnections(dataSource, tablePrefix);
        StoreSql sql = new StoreSql(tablePrefix, connections);
        StoreClock clock = new StoreClock(wallClock);
        this.members = new MemberLeases(tablePrefix, connections, clock);
        this.tasks = new TaskRecords(tablePrefix, connections, sql, clock);
        this.durables = new DurableInvocations(tablePrefix, connections, sql, clock);
    }

    /** The database kind, read from the connection's metadata on first use. */
    public Dialect dialect() {
        return connections.dialect();
    }

    /**
     * Creates the store's tables, sequence and indexes where missing (idempotent). Members starting together may
     * each call it: the calls take turns (on PostgreSQL under an advisory lock, in a transaction of their own or
     * the connection's), as two creations of one table at once fail on both databases.
     */
    public void initializeSchema() {
        SchemaScript.initialize(connections, dialect().schemaScripts(), prefix);
    }

    // ---- members: see MemberLeases ----------------------------------------------------------------

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
     *
     * @throws TaskStoreException if the {@code DataSource} hands out connections with auto-commit off outside any
     *         transaction (a pool made so), whose writes nobody would commit
     */
    @Override
    public Incarnation open(String member, Duration lease, long atLeast) {
        return members.open(member, lease, atLeast);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lease is renewed first, in a commit of its own. Marking lost waits at most a third of the lease (at least
     * a second) for locks on the task table (an index being built on it, a {@code VACUUM FULL}); beyond, it is left
     * to the next renewal (0 is returned, with a warning), so such a lock never keeps this member's later renewals
     * from coming. So is marking lost that fails otherwise (a deadlock with another session, the connection lost
     * after the renewal's commit): the lease was renewed, and this returns; only a renewal that failed throws.
     */
    @Override
    public int heartbeat(long incarnation, Duration lease) {
        return members.heartbeat(incarnation, lease);
    }

    @Override
    public void close(long incarnation) {
        members.close(incarnation);
    }

    // ---- task records: see TaskRecords ------------------------------------------------------------

    @Override
    public void save(Collection<TaskRecord> records) {
        tasks.save(records);
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        return tasks.find(id);
    }

    @Override
    public List<TaskRecord> query(TaskQuery query) {
        return tasks.query(query);
    }

    @Override
    public int purge(Instant before) {
        return tasks.purge(before);
    }

    // ---- durable invocations: see DurableInvocations ----------------------------------------------

    @Override
    public void enqueue(DurableRecord invocation, TaskRecord task) {
        durables.enqueue(invocation, task);
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
        return durables.claimOrphans(incarnation, handlers, limit);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Read and claimed as {@link #claimOrphans} does, one compare-and-set on its owner each, leaving the attempt
     * count as it was; "unchanged since" is the invocation's last change in the store ({@code updated_at}: stored,
     * claimed, released).
     */
    @Override
    public List<DurableRecord> claimUnresolved(long incarnation, Collection<String> handlers, Instant idleBefore,
            int limit) {
        return durables.claimUnresolved(incarnation, handlers, idleBefore, limit);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sets their owner to none (0): any member may claim them at once, without waiting for this
     * member's lease, and that claim does not count a lost run.
     */
    @Override
    public void releaseDurables(long owner, Collection<TaskId> ids) {
        durables.releaseDurables(owner, ids, false);
    }

    @Override
    public void releaseUnrun(long owner, Collection<TaskId> ids) {
        durables.releaseDurables(owner, ids, true);
    }

    @Override
    public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
        return finishDurables(List.of(new DurableEnd(id, owner, status, result, failure)))[0];
    }

    @Override
    public boolean[] finishDurables(List<DurableEnd> ends) {
        return durables.finishDurables(ends);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One indexed query per page ({@code status, owner}); committed rows only, on H2 and PostgreSQL alike
     * (both read committed), and no row lock taken.
     */
    @Override
    public List<TaskId> owned(long incarnation, TaskId after, int limit) {
        return durables.owned(incarnation, after, limit);
    }

    @Override
    public Optional<DurableRecord> durable(TaskId id) {
        return durables.durable(id);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each statement made in {@code calls} on this thread gets what is left of the bound as its query timeout
     * ({@code setQueryTimeout}), in whole seconds rounded up (JDBC's unit: a statement may wait up to a second past
     * the bound), so a lock wait is cancelled by the database; a bound beyond 24 days counts as 24 days (H2 keeps
     * the timeout in milliseconds, as an int). A statement cancelled so, or one that would begin after the bound
     * ended, throws a {@link TaskStoreException} naming the table it was on and the bound. Statements outside any
     * {@code within} get no query timeout at all. On H2, whose timeout is the connection's rather than the
     * statement's, it is taken off the connection again before the connection is closed (a pool hands it on).
     */
    @Override
    public void within(Duration bound, Runnable calls) {
        connections.within(bound, calls);
    }

    @Override
    public String toString() {
        return "JdbcTaskStore[" + prefix + "*]";
    }
}
