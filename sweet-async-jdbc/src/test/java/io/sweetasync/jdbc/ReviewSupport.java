package io.sweetasync.jdbc;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Test doubles for the hostile review of durable task state. */
final class ReviewSupport {

    private ReviewSupport() {
    }

    /**
     * What Spring's TransactionAwareDataSourceProxy + the starter's TransactionalStartGate do, without Spring:
     * a thread that called {@link #begin()} gets its transaction's connection from {@link #getConnection()}
     * (close is a no-op), and durable starts/abandons registered through {@link #gate()} run after
     * commit/rollback. Other threads get fresh auto-commit connections.
     */
    static final class ThreadBoundDataSource implements DataSource {
        private final DataSource target;
        private final ThreadLocal<Connection> bound = new ThreadLocal<>();
        private final ThreadLocal<List<Runnable[]>> synchronizations = new ThreadLocal<>();

        ThreadBoundDataSource(DataSource target) {
            this.target = target;
        }

        void begin() throws SQLException {
            Connection connection = target.getConnection();
            connection.setAutoCommit(false);
            bound.set(connection);
            synchronizations.set(new ArrayList<>());
        }

        void end(boolean commit) throws SQLException {
            Connection connection = bound.get();
            List<Runnable[]> callbacks = synchronizations.get();
            bound.remove();
            synchronizations.remove();
            try {
                if (commit) {
                    connection.commit();
                }
                else {
                    connection.rollback();
                }
            }
            finally {
                connection.close();
            }
            for (Runnable[] callback : callbacks) {
                (commit ? callback[0] : callback[1]).run();
            }
        }

        DurableStartGate gate() {
            return (start, abandon) -> {
                List<Runnable[]> callbacks = synchronizations.get();
                if (callbacks == null) {
                    start.run();
                }
                else {
                    callbacks.add(new Runnable[] { start, abandon });
                }
            };
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = bound.get();
            if (connection == null) {
                return target.getConnection();
            }
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] { Connection.class },
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(connection, args);
                        }
                        catch (InvocationTargetException ex) {
                            throw ex.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return target.isWrapperFor(iface);
        }
    }

    /**
     * A member of the durable re-run tests on {@code store}: JSON codec, records flushed every 50 ms, a 1 s lease (so
     * a stopped member's invocations are claimed within seconds).
     */
    static TaskOrchestrator.Builder durableMember(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    /** The durable re-run tests' full group: one permit, a queue of one, a wait of up to {@code maxWait}. */
    static LimiterConfig oneAtATime(Duration maxWait) {
        return LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withQueueCapacity(1)
                .withMaxWait(maxWait);
    }

    /** Counts the invocations handed back unrun (the bounces). */
    static final class CountingStore extends GatedStore {
        final AtomicInteger unrun = new AtomicInteger();

        CountingStore(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public void releaseUnrun(long owner, Collection<TaskId> ids) {
            super.releaseUnrun(owner, ids);
            unrun.addAndGet(ids.size());
        }
    }

    /**
     * A delegating store whose {@code save}, when {@link #hold} matches the batch on the thread named
     * {@link #holdThread}, signals {@link #holding} and waits for {@link #release} before writing; then
     * signals {@link #heldWritten}. With {@link #hang} set, every call blocks until {@link #release}
     * (a database behind a black-holed network, a pool with no free connection). With {@link #down} set,
     * every call fails at once, as the database would for a process that died or lost its network.
     */
    static class GatedStore implements TaskStore {
        final TaskStore delegate;
        volatile Predicate<Collection<TaskRecord>> hold = records -> false;
        volatile String holdThread = "sweet-async-store";
        volatile boolean hang;
        volatile boolean down;
        /** Leases renewed through this store. */
        final AtomicInteger renewals = new AtomicInteger();
        /** Looks for invocations no member can run ({@code claimUnresolved}) through this store. */
        final AtomicInteger unresolvedLooks = new AtomicInteger();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch heldWritten = new CountDownLatch(1);

        GatedStore(TaskStore delegate) {
            this.delegate = delegate;
        }

        /** Handed on, as a store that wraps another does: the lease keeper's calls stay bounded. */
        @Override
        public void within(Duration bound, Runnable calls) {
            delegate.within(bound, calls);
        }

        private void maybeHang() {
            if (down) {
                throw new IllegalStateException("store unreachable (test)");
            }
            if (hang) {
                try {
                    release.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the store hangs (test)", ex);
                }
            }
        }

        @Override
        public Incarnation open(String member, Duration lease) {
            maybeHang();
            return delegate.open(member, lease);
        }

        @Override
        public int heartbeat(long incarnation, Duration lease) {
            maybeHang();
            int lost = delegate.heartbeat(incarnation, lease);
            renewals.incrementAndGet();
            return lost;
        }

        @Override
        public void close(long incarnation) {
            maybeHang();
            delegate.close(incarnation);
        }

        @Override
        public void save(Collection<TaskRecord> records) {
            maybeHang();
            boolean held = Thread.currentThread().getName().equals(holdThread) && holding.getCount() > 0
                    && hold.test(records);
            if (held) {
                holding.countDown();
                try {
                    release.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            }
            delegate.save(records);
            if (held) {
                heldWritten.countDown();
            }
        }

        @Override
        public Optional<TaskRecord> find(TaskId id) {
            maybeHang();
            return delegate.find(id);
        }

        @Override
        public List<TaskRecord> query(TaskQuery query) {
            maybeHang();
            return delegate.query(query);
        }

        @Override
        public int purge(Instant before) {
            maybeHang();
            return delegate.purge(before);
        }

        @Override
        public void enqueue(DurableRecord invocation, TaskRecord task) {
            maybeHang();
            delegate.enqueue(invocation, task);
        }

        @Override
        public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
            maybeHang();
            return delegate.claimOrphans(incarnation, handlers, limit);
        }

        @Override
        public List<DurableRecord> claimUnresolved(long incarnation, Collection<String> handlers,
                java.time.Instant idleBefore, int limit) {
            maybeHang();
            unresolvedLooks.incrementAndGet();
            return delegate.claimUnresolved(incarnation, handlers, idleBefore, limit);
        }

        @Override
        public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
            maybeHang();
            return delegate.finishDurable(id, owner, status, result, failure);
        }

        @Override
        public boolean[] finishDurables(List<DurableEnd> ends) {
            maybeHang();
            return delegate.finishDurables(ends);
        }

        @Override
        public void releaseDurables(long owner, Collection<TaskId> ids) {
            maybeHang();
            delegate.releaseDurables(owner, ids);
        }

        @Override
        public void releaseUnrun(long owner, Collection<TaskId> ids) {
            maybeHang();
            delegate.releaseUnrun(owner, ids);
        }

        @Override
        public List<TaskId> owned(long incarnation, TaskId after, int limit) {
            maybeHang();
            return delegate.owned(incarnation, after, limit);
        }

        @Override
        public Optional<DurableRecord> durable(TaskId id) {
            maybeHang();
            return delegate.durable(id);
        }
    }
}
