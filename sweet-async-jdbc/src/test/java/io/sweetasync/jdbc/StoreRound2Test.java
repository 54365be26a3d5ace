package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round 2 of the hostile review of durable task state (SPEC §6): a store that fails for a moment at the
 * worst time, and a store that is only slow. Each test failed before its fix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreRound2Test {

    record Invoice(String customer, int cents) {
    }

    static Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    /**
     * A data source whose connections fail the next statement prepared after one that {@link #trigger} matches,
     * as many times as {@link #failures} says: a connection reset, a fail-over, a statement timeout, for one
     * statement at the worst moment.
     */
    static final class FlakyDataSource {
        final AtomicReference<Predicate<String>> trigger = new AtomicReference<>(sql -> false);
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        /** Statements whose SQL this matches run (and commit), then fail as they close, {@link #closeFailures} times. */
        final AtomicReference<Predicate<String>> failOnClose = new AtomicReference<>(sql -> false);
        final AtomicInteger closeFailures = new AtomicInteger();
        private final AtomicBoolean armed = new AtomicBoolean();
        final DataSource dataSource;

        FlakyDataSource(DataSource target) {
            this.plain = new JdbcTaskStore(target, prefix);
            this.dataSource = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
                        Object answer = invoke(target, method, args);
                        return answer instanceof Connection connection ? flaky(connection) : answer;
                    });
        }

        private Connection flaky(Connection connection) {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                            if (armed.compareAndSet(true, false) && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                                failed.incrementAndGet();
                                throw new SQLTransientConnectionException("connection reset (test)");
                            }
                            if (trigger.get().test(sql)) {
                                armed.set(true);
                            }
                            if (failOnClose.get().test(sql) && closeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                                java.sql.PreparedStatement statement = (java.sql.PreparedStatement) invoke(connection,
                                        method, args);
                                return closeFails(statement);
                            }
                        }
                        return invoke(connection, method, args);
                    });
        }

        private java.sql.PreparedStatement closeFails(java.sql.PreparedStatement statement) {
            return (java.sql.PreparedStatement) Proxy.newProxyInstance(java.sql.PreparedStatement.class.getClassLoader(),
                    new Class<?>[] { java.sql.PreparedStatement.class }, (proxy, method, args) -> {
                        Object answer = invoke(statement, method, args);
                        if (method.getName().equals("close")) {
                            failed.incrementAndGet();
                            throw new SQLTransientConnectionException("connection reset after the commit (test)");
                        }
                        return answer;
                    });
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause();
            }
        }

        final String prefix = "r2_" + ProcessHandle.current().pid() + "_" + PREFIXES.incrementAndGet() + "_";
        /** The same tables, read past the failures (what the test looks at). */
        final JdbcTaskStore plain;

        JdbcTaskStore newStore() {
            JdbcTaskStore store = new JdbcTaskStore(dataSource, prefix);
            store.initializeSchema();
            return store;
        }
    }

    // ---- 1. a claim that succeeds in the database but fails on the way back ----------------------

    /**
     * Promise (SPEC §6, TaskStore#claimOrphans): "when a lease expires the work is claimed again (attempt + 1,
     * same id) until it succeeds", at least once. A member claims an orphan (the compare-and-set is committed:
     * it owns the invocation now) and the store's very next statement fails for a moment (before the fix: the
     * invocation read back after the claim; after it: the task record read before the run). Before the fix the
     * claimed invocation was dropped on the floor: owned by a live member that renews its lease, it was never
     * claimed again nor run, until that member restarted.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aClaimFollowedByAMomentsStoreFailureStillRunsTheTask(Databases.Database database) throws Exception {
        FlakyDataSource flaky = new FlakyDataSource(database.dataSource());
        JdbcTaskStore store = flaky.newStore();
        CountDownLatch aRunning = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = chargingUntilClosed(store, aRunning)) {
            SpawningTask<String> first = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
            id = first.id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
        } // a graceful close hands the run over: claimable at once by the next member

        // The claim's compare-and-set commits; the statement right after it fails.
        flaky.trigger.set(sql -> sql.contains("attempts = attempts + 1"));
        flaky.failures.set(1);
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran attempt " + TaskContext.current().orElseThrow().attempt() + " (run "
                        + runsOnB.incrementAndGet() + ")").build()) {
            await().atMost(Duration.ofSeconds(60)).alias("the invocation B claimed runs")
                    .until(() -> flaky.plain.durable(id).map(DurableRecord::status).orElse("?").equals("COMPLETED"));
            assertThat(flaky.failed).as("the statement after the claim failed once").hasValue(1);
            assertThat(runsOnB).as("runs on B").hasValue(1);
            assertThat(b.storedResult(id, String.class).orElseThrow().orElseThrow()).startsWith("b ran attempt 2");
        }
    }

    // ---- 2. a member that is only slow writing ------------------------------------------------------

    /**
     * Promise (SPEC §6): "a member claims it with a lease it renews; when a lease expires the work is claimed
     * again" — a lease lapses when its member stops, not while it is alive and busy. Member A runs a durable
     * task; one write of its task records takes many leases (a big batch on a loaded database, a lock wait, the
     * hourly purge deleting a week of records). Before the fix the lease was renewed on the same thread, after the
     * write: it lapsed, member B claimed the invocation and ran it a second time while A still ran it (and A's
     * ordinary tasks were marked lost). The lease is renewed while the write is held.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aSlowWriteDoesNotLetTheLeaseOfALiveMemberLapse(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator a = on(aStore, "member-a").handler("charge", Invoice.class, invoice -> {
            aRunning.countDown();
            finish.await();
            return "a";
        }).build()) {
            SpawningTask<String> durable = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            aStore.hold = records -> true; // the next write of A's store thread takes until released
            a.to(String.class).named("report").run(() -> "written slowly");
            assertThat(aStore.holding.await(30, TimeUnit.SECONDS)).as("a write is held").isTrue();
            int renewals = aStore.renewals.get();
            try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                    invoice -> "b" + runsOnB.incrementAndGet()).build()) {
                await().atMost(Duration.ofSeconds(60)).alias("A renews its lease while a write is held (two leases' worth)")
                        .until(() -> aStore.renewals.get() >= renewals + 6);
                assertThat(runsOnB).as("B did not run A's live durable task").hasValue(0);
                assertThat(store.durable(durable.id()).orElseThrow().attempts()).isEqualTo(1);
            }
            finally {
                aStore.release.countDown();
                finish.countDown();
            }
            assertThat(durable.join()).isEqualTo("a");
        }
    }

    // ---- 3. a user's cancel just before close --------------------------------------------------------

    /** Member A, whose "charge" handler runs until the close interrupts it. */
    private static TaskOrchestrator chargingUntilClosed(JdbcTaskStore store, CountDownLatch running) {
        return on(store, "member-a").handler("charge", Invoice.class, invoice -> {
            running.countDown();
            new CountDownLatch(1).await(); // until the close interrupts it
            return "never";
        }).build();
    }

    /**
     * Member A, whose "charge" handler runs until it is cancelled; a long lease and flush interval, so that only
     * its close writes and hands over.
     */
    private static TaskOrchestrator chargingUntilCancelled(JdbcTaskStore store, CountDownLatch running) {
        return TaskOrchestrator.builder().store(store).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeLease(Duration.ofSeconds(60))
                .storeFlushInterval(Duration.ofSeconds(20)).handler("charge", Invoice.class, invoice -> {
                    running.countDown();
                    new CountDownLatch(1).await(); // until cancelled
                    return "never";
                }).build();
    }

    /**
     * Promise (SPEC §1.3, §1.6): {@code cancel()} ends the task {@code CANCELLED}, and a cancelled task is never
     * retried; only a run stopped by the process's own shutdown is handed over to run again (TaskStore
     * #releaseDurables). A durable task is cancelled by its user and the orchestrator closes within the flush
     * interval, before the end was written. Before the fix the close took the user's cancel for its own: it handed
     * the invocation over, and the next member ran the cancelled task again.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aDurableTaskCancelledJustBeforeCloseIsNotRunAgain(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch running = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = chargingUntilCancelled(store, running)) {
            SpawningTask<String> task = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
            id = task.id();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel()).isTrue();
        }
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran " + runsOnB.incrementAndGet()).build()) {
            await().atMost(Duration.ofSeconds(60)).alias("the invocation has ended")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            assertThat(store.durable(id).orElseThrow().status()).isEqualTo("CANCELLED");
            assertThat(runsOnB).as("runs on B").hasValue(0);
        }
    }

    /**
     * The same promise during a graceful shutdown: {@code shutdown(grace)} lets running work finish, and a user (or
     * an operator, by id) cancels a durable task during that grace. Before the fix any cancellation once the
     * shutdown had begun was taken for the shutdown's: the invocation was handed over and run again by the next
     * member. Only the shutdown's own cancellation (its grace passed) hands a run over.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aDurableTaskCancelledDuringTheShutdownGraceIsNotRunAgain(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch running = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = chargingUntilCancelled(store, running)) {
            SpawningTask<String> task = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
            id = task.id();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> a.shutdown(Duration.ofSeconds(60)));
            await().atMost(Duration.ofSeconds(30)).alias("A drains").until(() -> !a.isAccepting());
            assertThat(task.cancel()).isTrue();
            assertThat(drained.get(30, TimeUnit.SECONDS)).as("everything ended within the grace").isTrue();
        }
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran " + runsOnB.incrementAndGet()).build()) {
            await().atMost(Duration.ofSeconds(60)).alias("the invocation has ended")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            assertThat(store.durable(id).orElseThrow().status()).isEqualTo("CANCELLED");
            assertThat(runsOnB).as("runs on B").hasValue(0);
        }
    }

    // ---- 4. a claim whose commit succeeded but whose answer was lost ------------------------------------

    /**
     * Promise (SPEC §6): "when a lease expires the work is claimed again ... until it succeeds". The claim's
     * compare-and-set commits, but the connection drops before its answer arrives (the driver reports an error
     * for a statement the database did run). The claimer cannot tell it owns the invocation; it owns it, and
     * renews its lease, so before the fix nobody claimed it again until it restarted. Now the lease keeper holds
     * what the store says this incarnation owns ({@code TaskStore.owned}) against what the member runs: an
     * invocation owned here and unknown here at two looks in a row is run. (The {@code enqueue} counterpart is in
     * {@link LostAnswerTest}.)
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aClaimCommittedWhoseAnswerIsLostStillRunsTheTask(Databases.Database database) throws Exception {
        FlakyDataSource flaky = new FlakyDataSource(database.dataSource());
        JdbcTaskStore store = flaky.newStore();
        CountDownLatch aRunning = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = chargingUntilClosed(store, aRunning)) {
            id = a.to(String.class).durable("charge", new Invoice("acme", 100)).run().id();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
        }
        flaky.failOnClose.set(sql -> sql.contains("attempts = attempts + 1"));
        flaky.closeFailures.set(1);
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran " + runsOnB.incrementAndGet()).build()) {
            await().atMost(Duration.ofSeconds(30)).alias("the invocation B claimed runs")
                    .until(() -> flaky.plain.durable(id).map(DurableRecord::status).orElse("?").equals("COMPLETED"));
            assertThat(flaky.failed).as("the claim's answer was lost once").hasValue(1);
            assertThat(runsOnB).as("runs on B").hasValue(1);
            assertThat(flaky.plain.durable(id).orElseThrow().attempts()).as("one claim: attempt 2").isEqualTo(2);
            assertThat(b.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("b ran 1");
        }
    }
}
