package io.sweetasync.hazelcast;

import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One member's view of the shared store, which a test can cut: from {@link #cut()} on every call fails, as
 * the store looks from a process that died (it renews no lease and writes no end) or that lost its
 * database. The member's threads go on, so a cut member is also the "old owner that may still be alive".
 */
final class CutOffStore implements TaskStore {

    private final TaskStore store;
    private volatile boolean cut;
    private volatile boolean noClaims;
    private final java.util.concurrent.atomic.AtomicInteger durableReadsToFail = new java.util.concurrent.atomic.AtomicInteger();
    /** Looks for orphans that went through (not refused by {@link #refuseClaims}, not cut off). */
    final java.util.concurrent.atomic.AtomicInteger claimLooks = new java.util.concurrent.atomic.AtomicInteger();
    /** Reads of a durable invocation failed by {@link #failNextDurableReads}. */
    final java.util.concurrent.atomic.AtomicInteger durableReadsFailed = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * What a test does around some calls of this view, on the calling thread: before {@code durable}, {@code save}
     * and {@code finishDurable} (with the id, the records, the id), and after them (with the answer too).
     */
    interface Hook {
        default void before(String call, Object argument) {
        }

        default void after(String call, Object argument, Object answer) {
        }
    }

    /** None by default. */
    volatile Hook hook = new Hook() { };

    CutOffStore(TaskStore store) {
        this.store = store;
    }

    void cut() {
        cut = true;
    }

    /** The member reaches the store again (it was only cut off, not dead). */
    void heal() {
        cut = false;
    }

    /** From now on this member claims no orphaned invocation (as if another member were always faster). */
    void refuseClaims() {
        noClaims = true;
    }

    /** This member claims orphans again (after {@link #refuseClaims()}). */
    void allowClaims() {
        noClaims = false;
    }

    /** The next {@code count} reads of a durable invocation fail, as a connection reset would, once each. */
    void failNextDurableReads(int count) {
        durableReadsToFail.set(count);
    }

    private TaskStore store() {
        if (cut) {
            throw new IllegalStateException("this member is cut off from the store (the test killed it)");
        }
        return store;
    }

    @Override
    public Incarnation open(String member, Duration lease) {
        return store().open(member, lease);
    }

    @Override
    public Incarnation open(String member, Duration lease, long atLeast) {
        return store().open(member, lease, atLeast);
    }

    @Override
    public int heartbeat(long incarnation, Duration lease) {
        return store().heartbeat(incarnation, lease);
    }

    @Override
    public void close(long incarnation) {
        store().close(incarnation);
    }

    @Override
    public void save(Collection<TaskRecord> records) {
        hook.before("save", records);
        store().save(records);
        hook.after("save", records, null);
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        return store().find(id);
    }

    @Override
    public List<TaskRecord> query(TaskQuery query) {
        return store().query(query);
    }

    @Override
    public int purge(Instant before) {
        return store().purge(before);
    }

    @Override
    public void enqueue(DurableRecord invocation, TaskRecord task) {
        store().enqueue(invocation, task);
    }

    @Override
    public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
        if (noClaims) {
            return List.of();
        }
        List<DurableRecord> claimed = store().claimOrphans(incarnation, handlers, limit);
        claimLooks.incrementAndGet();
        return claimed;
    }

    @Override
    public List<DurableRecord> claimUnresolved(long incarnation, Collection<String> handlers,
            java.time.Instant idleBefore, int limit) {
        return noClaims ? List.of() : store().claimUnresolved(incarnation, handlers, idleBefore, limit);
    }

    @Override
    public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
        hook.before("finishDurable", id);
        boolean recorded = store().finishDurable(id, owner, status, result, failure);
        hook.after("finishDurable", id, recorded);
        return recorded;
    }

    @Override
    public boolean[] finishDurables(List<DurableEnd> ends) {
        return store().finishDurables(ends);
    }

    @Override
    public void releaseDurables(long owner, Collection<TaskId> ids) {
        store().releaseDurables(owner, ids);
    }

    @Override
    public void releaseUnrun(long owner, Collection<TaskId> ids) {
        store().releaseUnrun(owner, ids);
    }

    @Override
    public List<TaskId> owned(long incarnation, TaskId after, int limit) {
        return store().owned(incarnation, after, limit);
    }

    /** Handed on, as a store that wraps another does: the lease keeper's calls stay bounded. */
    @Override
    public void within(Duration bound, Runnable calls) {
        store.within(bound, calls);
    }

    @Override
    public Optional<DurableRecord> durable(TaskId id) {
        if (durableReadsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            durableReadsFailed.incrementAndGet();
            throw new IllegalStateException("connection reset reading durable task " + id + " (test)");
        }
        hook.before("durable", id);
        Optional<DurableRecord> read = store().durable(id);
        hook.after("durable", id, read);
        return read;
    }
}
