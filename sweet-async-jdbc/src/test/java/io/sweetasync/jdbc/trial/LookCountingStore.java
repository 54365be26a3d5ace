package io.sweetasync.jdbc.trial;

import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store handing every call on, counting the looks for orphaned invocations that returned: a test that a start
 * does <em>not</em> run an invocation again waits for two such looks, not for a time.
 */
final class LookCountingStore implements TaskStore {

    private final TaskStore delegate;
    private final AtomicInteger orphanLooks = new AtomicInteger();

    LookCountingStore(TaskStore delegate) {
        this.delegate = delegate;
    }

    /** Waits until this store has answered {@code looks} more looks for orphans than it had when called. */
    void awaitOrphanLooks(int looks) {
        int target = orphanLooks.get() + looks;
        await().atMost(Duration.ofSeconds(20)).until(() -> orphanLooks.get() >= target);
    }

    @Override
    public Incarnation open(String member, Duration lease) {
        return delegate.open(member, lease);
    }

    @Override
    public Incarnation open(String member, Duration lease, long atLeast) {
        return delegate.open(member, lease, atLeast);
    }

    @Override
    public int heartbeat(long incarnation, Duration lease) {
        return delegate.heartbeat(incarnation, lease);
    }

    @Override
    public void close(long incarnation) {
        delegate.close(incarnation);
    }

    @Override
    public void save(Collection<TaskRecord> records) {
        delegate.save(records);
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        return delegate.find(id);
    }

    @Override
    public List<TaskRecord> query(TaskQuery query) {
        return delegate.query(query);
    }

    @Override
    public int purge(Instant before) {
        return delegate.purge(before);
    }

    @Override
    public void enqueue(DurableRecord invocation, TaskRecord task) {
        delegate.enqueue(invocation, task);
    }

    @Override
    public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
        List<DurableRecord> claimed = delegate.claimOrphans(incarnation, handlers, limit);
        orphanLooks.incrementAndGet();
        return claimed;
    }

    @Override
    public List<DurableRecord> claimUnresolved(long incarnation, Collection<String> handlers, Instant idleBefore,
            int limit) {
        return delegate.claimUnresolved(incarnation, handlers, idleBefore, limit);
    }

    @Override
    public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
        return delegate.finishDurable(id, owner, status, result, failure);
    }

    @Override
    public boolean[] finishDurables(List<DurableEnd> ends) {
        return delegate.finishDurables(ends);
    }

    @Override
    public void releaseDurables(long owner, Collection<TaskId> ids) {
        delegate.releaseDurables(owner, ids);
    }

    @Override
    public void releaseUnrun(long owner, Collection<TaskId> ids) {
        delegate.releaseUnrun(owner, ids);
    }

    @Override
    public List<TaskId> owned(long incarnation, TaskId after, int limit) {
        return delegate.owned(incarnation, after, limit);
    }

    @Override
    public void within(Duration bound, Runnable calls) {
        delegate.within(bound, calls);
    }

    @Override
    public Optional<DurableRecord> durable(TaskId id) {
        return delegate.durable(id);
    }
}
