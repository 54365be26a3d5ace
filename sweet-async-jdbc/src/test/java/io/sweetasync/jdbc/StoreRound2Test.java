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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
        private final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
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
                        }
                        return invoke(connection, method, args);
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
        try (TaskOrchestrator a = on(store, "member-a").handler("charge", Invoice.class, invoice -> {
            aRunning.countDown();
            new CountDownLatch(1).await(); // until the close interrupts it
            return "never";
        }).build()) {
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
}
