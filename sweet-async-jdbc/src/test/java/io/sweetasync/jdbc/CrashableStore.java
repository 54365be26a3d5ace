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
import java.util.Optional;

/**
 * A store that can be cut off, as the database would be for a process that died or lost its network:
 * while {@link #down} is set every call fails, so the orchestrator using it can neither renew its lease
 * nor write; its tasks keep running, as a hung or partitioned process's would.
 */
final class CrashableStore implements TaskStore {

    private final TaskStore delegate;
    volatile boolean down;

    CrashableStore(TaskStore delegate) {
        this.delegate = delegate;
    }

    private void check() {
        if (down) {
            throw new IllegalStateException("store unreachable (test)");
        }
    }

    @Override
    public Incarnation open(String member, Duration lease) {
        check();
        return delegate.open(member, lease);
    }

    @Override
    public int heartbeat(long incarnation, Duration lease) {
        check();
        return delegate.heartbeat(incarnation, lease);
    }

    @Override
    public void close(long incarnation) {
        check();
        delegate.close(incarnation);
    }

    @Override
    public void save(Collection<TaskRecord> records) {
        check();
        delegate.save(records);
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        check();
        return delegate.find(id);
    }

    @Override
    public List<TaskRecord> query(TaskQuery query) {
        check();
        return delegate.query(query);
    }

    @Override
    public int purge(Instant before) {
        check();
        return delegate.purge(before);
    }

    @Override
    public void enqueue(DurableRecord invocation, TaskRecord task) {
        check();
        delegate.enqueue(invocation, task);
    }

    @Override
    public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
        check();
        return delegate.claimOrphans(incarnation, handlers, limit);
    }

    @Override
    public void finishDurable(TaskId id, String status, String result, String failure) {
        check();
        delegate.finishDurable(id, status, result, failure);
    }

    @Override
    public Optional<DurableRecord> durable(TaskId id) {
        check();
        return delegate.durable(id);
    }
}
