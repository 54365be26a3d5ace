package io.sweetasync.spi;

import io.sweetasync.TaskId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Durable task state: where an orchestrator writes the record of every task, and keeps durable task
 * invocations, so that both outlive the JVM. {@code io.sweetasync.jdbc.JdbcTaskStore} implements it on a
 * {@code DataSource}; plug one in with {@code TaskOrchestrator.builder().store(store)}.
 *
 * <p>How the orchestrator uses it: {@link #open} once at start, for an <em>incarnation</em> number that
 * goes into every {@link TaskId} it creates and a lease it renews with {@link #heartbeat}; task records
 * written in batches off the tasks' threads ({@link #save}); durable invocations stored before
 * {@code run()} returns ({@link #enqueue}), claimed again when their owner's lease expired
 * ({@link #claimOrphans}), and finished with their result ({@link #finishDurable}); what this incarnation owns is
 * compared with what it runs at each renewal ({@link #owned}), so that an answer lost after its commit strands
 * nothing. The calls that follow a renewal are made {@link #within} a third of the lease, so that no lock wait keeps
 * the next renewal from coming.
 *
 * <p>Implementations are thread-safe. Every method may throw a {@link RuntimeException} when the
 * store is unreachable; the orchestrator counts, logs and retries, and never lets a store failure stop a
 * task (except {@link #enqueue}, whose failure fails the submission: a durable task is either stored or
 * not started; one whose rows were committed although its {@code enqueue} failed, its answer lost, is found by
 * {@link #owned} and ended {@code FAILED}, never run).
 *
 * <pre>{@code
 * TaskStore store = new JdbcTaskStore(dataSource);
 * try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).build()) { ... }
 * }</pre>
 */
public interface TaskStore {

    /**
     * A started orchestrator: its number, unique across restarts and the members sharing the store (in a
     * cluster, also among members with other stores or none: see {@link #open(String, Duration, long)}),
     * and its lease.
     */
    record Incarnation(long number, String member, Instant leaseUntil) {
    }

    /**
     * Registers a new incarnation of {@code member} holding a lease of {@code lease}, and marks lost the
     * live tasks of incarnations whose lease has expired (as {@link #heartbeat} does).
     */
    Incarnation open(String member, Duration lease);

    /**
     * Registers a new incarnation of {@code member}, as {@link #open(String, Duration)} does, numbered
     * {@code atLeast} or more: in a cluster, a member's ids must not repeat those of members with another
     * store or none, so the orchestrator asks for a number above every one the cluster has handed out. The
     * number is still one this store never handed out before and never hands out again (later opens
     * number above it), so ids stay unique across restarts.
     *
     * <p>The default opens as usual and fails if the number is too small (after releasing it): a store that
     * numbers only from its own sequence can join a cluster only while its numbers are ahead.
     *
     * @param atLeast the smallest acceptable number, from 1 to {@link TaskId#MAX_INCARNATION}
     * @throws UnsupportedOperationException by the default, when the store's next number is below
     *         {@code atLeast}
     */
    default Incarnation open(String member, Duration lease, long atLeast) {
        Incarnation opened = open(member, lease);
        if (opened.number() >= atLeast) {
            return opened;
        }
        close(opened.number());
        throw new UnsupportedOperationException("task store " + getClass().getName() + " gave incarnation "
                + opened.number() + " but the cluster needs " + atLeast + " or more (members without this store "
                + "numbered their tasks up to there); implement TaskStore.open(member, lease, atLeast)");
    }

    /**
     * Renews {@code incarnation}'s lease by {@code lease}, and ends {@code FAILED} with
     * {@code TaskLostException} the non-durable tasks still live in the records of incarnations whose
     * lease expired (their process stopped before they finished).
     *
     * @return how many tasks were marked lost
     */
    int heartbeat(long incarnation, Duration lease);

    /** Releases {@code incarnation}'s lease at once (a graceful stop). */
    void close(long incarnation);

    /** Inserts or replaces these task records (by id). */
    void save(Collection<TaskRecord> records);

    /** The record of a task, if stored. */
    Optional<TaskRecord> find(TaskId id);

    /** Stored task records matching {@code query}, newest first. */
    List<TaskRecord> query(TaskQuery query);

    /**
     * Deletes the records of tasks (and finished durable invocations) completed before {@code before}; never the record
     * of a durable invocation still pending (one whose run a graceful close handed over has an ended record), as a
     * re-run takes its name, tags, priority, group and runtime from it.
     */
    int purge(Instant before);

    /**
     * Stores a durable invocation and its task record, owned by the incarnation in the record; when this
     * returns, the invocation survives a crash. When it throws, the submission is reported failed; should the
     * rows have been committed all the same (the answer lost after the commit), the owner finds them with
     * {@link #owned} and ends them as its caller was told.
     */
    void enqueue(DurableRecord invocation, TaskRecord task);

    /**
     * Claims for {@code incarnation} up to {@code limit} unfinished durable invocations of the given
     * handlers whose owner's lease has expired (or that have no owner), each exactly once across members:
     * their attempt count goes up by one. Never those {@code incarnation} owns itself: a member whose own lease
     * lapsed (its renewals failed while this call goes through) runs them already.
     */
    List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit);

    /**
     * Claims for {@code incarnation} up to {@code limit} unfinished durable invocations whose handler is none of
     * {@code handlers}, whose owner's lease expired before {@code idleBefore} (or that have no owner), and that
     * nothing changed since before {@code idleBefore}: work no live member has claimed for that long, which
     * {@code incarnation} cannot run either. The caller ends each one ({@link #finishDurable}) without running it. Each is claimed exactly once
     * across members, as {@link #claimOrphans} claims; its attempt count stays as it was. Never those
     * {@code incarnation} owns itself.
     *
     * <p>The default claims none: a store without it keeps such invocations pending.
     */
    default List<DurableRecord> claimUnresolved(long incarnation, Collection<String> handlers, Instant idleBefore,
            int limit) {
        return List.of();
    }

    /**
     * Records a durable invocation's end: its terminal status name, its encoded result (null if none or
     * too large) and its failure text (null if it completed) — only while {@code owner} still owns it and
     * it has not ended, so a run whose member lost its lease cannot overwrite the end of the run that
     * claimed it.
     *
     * @return whether the end was recorded
     */
    boolean finishDurable(TaskId id, long owner, String status, String result, String failure);

    /**
     * The end of a durable invocation, as {@link #finishDurable} takes it.
     *
     * @param id      the invocation's (and its task's) id
     * @param owner   the incarnation that ran it
     * @param status  its terminal status name
     * @param result  its encoded result, null if none or too large
     * @param failure its failure text, null if it completed
     */
    record DurableEnd(TaskId id, long owner, String status, String result, String failure) {
    }

    /**
     * Records several durable invocations' ends, each exactly as {@link #finishDurable} would; a store
     * should do it in one round trip (the orchestrator writes the ends of a flush interval together).
     *
     * @return for each end, in order, whether it was recorded
     */
    default boolean[] finishDurables(List<DurableEnd> ends) {
        boolean[] recorded = new boolean[ends.size()];
        for (int i = 0; i < recorded.length; i++) {
            DurableEnd end = ends.get(i);
            recorded[i] = finishDurable(end.id(), end.owner(), end.status(), end.result(), end.failure());
        }
        return recorded;
    }

    /**
     * Hands back pending durable invocations that {@code owner} owns, because its orchestrator is closing
     * gracefully and stopped their runs (they were cancelled by the shutdown and their bodies returned): the
     * next claim runs them again (the attempt counts up) without counting a lost run, so that a task running
     * across many deployments is not given up as if it had crashed its process ten times. Called once their
     * records say so (soon after the shutdown stopped them), and again before {@link #close(long)} for all of
     * them (an id handed back twice, or claimed by another member meanwhile, is left as it is); never for a run whose
     * body was still running (that one may be what stops the process). The default does nothing: such runs are claimed once the lease is released, and counted lost.
     *
     * <pre>{@code
     * store.releaseDurables(incarnation, List.of(reportId)); // then store.close(incarnation)
     * }</pre>
     */
    default void releaseDurables(long owner, Collection<TaskId> ids) {
    }

    /**
     * Hands back, as {@link #releaseDurables} does, pending durable invocations that {@code owner} claimed to run
     * again but turned away before their run made an attempt (its group's or runtime's queue full, its wait for a
     * permit too long, or the shutdown came first), and takes back the attempt the claim counted: no run happened, so
     * the invocation's {@code attempts} (which the next run's attempts and its retry policy count on from) goes back
     * down by one, never below 0 (a placed invocation its member turned back before it ran made no run: the 1 its
     * enqueue counted goes too, and its first real run is attempt 1; the orchestrator runs a claimed invocation as a
     * re-run whatever its count, handed on while a group is full, never refused for good). A member whose group stays
     * full turns such a re-run away at every look; counted, those bounces used up the attempts its retry policy allows,
     * and it ran once, as a late attempt, unretried. The default hands them back as {@link #releaseDurables} does,
     * their attempts as they are.
     *
     * <pre>{@code
     * store.releaseUnrun(incarnation, List.of(reportId));
     * }</pre>
     */
    default void releaseUnrun(long owner, Collection<TaskId> ids) {
        releaseDurables(owner, ids);
    }

    /**
     * The pending durable invocations that {@code incarnation} owns, by id, ascending, those after {@code after}
     * (null: from the first), at most {@code limit}: a page of them; ask again after the last id for the next.
     *
     * <p>A member owns an invocation it stored ({@link #enqueue}) or claimed ({@link #claimOrphans}), and nobody
     * else runs it while the member renews its lease. When a store's answer is lost after its commit (the
     * connection dropped on the way back, the driver reported an error for a statement the database ran), the
     * member does not know it owns the invocation. The orchestrator's lease keeper asks this at each renewal and
     * compares it with what the member runs, queues and is starting: an invocation owned here that the member
     * knows nothing of, on two consecutive looks, is run here (a claim whose answer was lost), or ended as its
     * caller was told (an {@code enqueue} reported failed: not started).
     *
     * <p>Contract: only invocations whose status is {@code PENDING} and whose owner is {@code incarnation} at the
     * moment of the read, committed ones only (never rows of a transaction still open elsewhere); ids strictly
     * greater than {@code after}; at most {@code limit}, the smallest ids first. A read, never a write: it takes no
     * lock a claim or an {@code enqueue} would wait for.
     *
     * <p>The default answers none, which keeps the behaviour of stores written before this method: an invocation
     * whose claim or {@code enqueue} answer was lost runs only once its member stops (another member claims it
     * when the lease lapses, or the member's next start does), and an {@code enqueue} reported failed whose rows
     * were committed then runs although its caller was told it did not start.
     *
     * <pre>{@code
     * List<TaskId> page = store.owned(incarnation, null, 1000);
     * while (!page.isEmpty()) {
     *     page.forEach(id -> check(id));
     *     page = page.size() < 1000 ? List.of() : store.owned(incarnation, page.getLast(), 1000);
     * }
     * }</pre>
     *
     * @param incarnation the owning incarnation, as {@link #open} numbered it
     * @param after       the last id of the previous page, null for the first page
     * @param limit       the largest page, at least 1
     */
    default List<TaskId> owned(long incarnation, TaskId after, int limit) {
        return List.of();
    }

    /**
     * Runs {@code calls}, in which the calls this thread makes to this store wait for the database at most
     * {@code bound} together, counted from now: a call still waiting at the end of it is given up and throws a
     * {@link RuntimeException}, as when the store is out of reach, and a call made after it throws at once. Calls
     * nested in another {@code within} keep the sooner end.
     *
     * <p>The orchestrator's lease keeper makes the calls that follow each renewal of its lease (claims of orphaned
     * durable invocations, the look at what this member owns, the reads of runs another member may have taken over)
     * within a third of the lease, and those it makes between renewals too: a lock another session holds on a table
     * (an index built without {@code CONCURRENTLY}, a {@code VACUUM FULL}, an {@code ALTER TABLE}) must never keep it
     * from its next renewal, or this live member's lease lapses and its durable tasks run a second time elsewhere.
     * What was given up is tried again at the next renewal. A store that wraps another hands this on to it.
     *
     * <p>The default runs {@code calls} unbounded: a store that cannot bound its calls keeps its behaviour.
     *
     * <pre>{@code
     * store.within(Duration.ofSeconds(10), () -> store.owned(incarnation, null, 1000));
     * }</pre>
     *
     * @param bound how long the calls may wait together, positive
     * @param calls the calls, made on this thread
     * @throws IllegalArgumentException if {@code bound} is not positive
     */
    default void within(Duration bound, Runnable calls) {
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        calls.run();
    }

    /** A durable invocation by id, with its result once finished. */
    Optional<DurableRecord> durable(TaskId id);
}
