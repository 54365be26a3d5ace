package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile review of the lease (SPEC §6, README "Cluster": "the cut-off member, when it reaches the store again, stops
 * every durable run of its own that another member claimed meanwhile"): a member cut off from the store past its
 * lease, whose durable run another member takes over, must stop its own copy whatever the timing of its return. Each
 * test failed before its fix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaseTakeoverReviewTest {

    private static final Duration CEILING = Duration.ofSeconds(20);

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member, Duration lease) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(lease);
    }

    /** A handler that holds until {@code never} opens (it does not): a run that only a stop ends. */
    private static TaskOrchestrator.Builder holding(TaskOrchestrator.Builder builder, CountDownLatch started,
            CountDownLatch never) {
        return builder.handler("hold", String.class, argument -> {
            started.countDown();
            never.await();
            return argument;
        });
    }

    /**
     * A is cut off past its lease and B takes its durable run over. When A reaches the store again, its first look at
     * what was taken over fails (a connection reset on the read of the invocation: a store coming back often flaps).
     * Before the fix the look was not made again: the renewal that failed had already counted as "in reach", so A's
     * copy ran on beside B's for as long as its body ran.
     */
    @Test
    void aTakenOverRunIsStoppedEvenWhenTheFirstLookAfterTheOutageFails() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        AtomicInteger readsToFail = new AtomicInteger();
        AtomicInteger readsFailed = new AtomicInteger();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store) {
            @Override
            public Optional<DurableRecord> durable(TaskId id) {
                if (Thread.currentThread().getName().equals("sweet-async-store-lease")
                        && readsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    readsFailed.incrementAndGet();
                    throw new IllegalStateException("connection reset reading durable task " + id + " (test)");
                }
                return super.durable(id);
            }
        };
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator a = holding(on(aStore, "member-a", Duration.ofSeconds(1)), aStarted, never).build()) {
            SpawningTask<String> onA = a.to(String.class).durable("hold", "job").run();
            assertThat(aStarted.await(30, TimeUnit.SECONDS)).isTrue();
            aStore.down = true;
            try (TaskOrchestrator b = holding(on(store, "member-b", Duration.ofSeconds(1)), bStarted, never).build()) {
                assertThat(bStarted.await(30, TimeUnit.SECONDS)).as("B took the run over").isTrue();
                readsToFail.set(1);
                aStore.down = false;
                await().atMost(CEILING).alias("A's first look after the outage failed").until(() -> readsFailed.get() == 1);

                await().atMost(CEILING).alias("A stops its copy at a later renewal").until(onA::isDone);
                assertLost(onA.result());
            }
        }
        finally {
            never.countDown();
        }
    }

    /**
     * A is cut off past its lease; B reads the invocation as an orphan, and before its claim is made A reaches the
     * store again, renews its lease and looks: the invocation is still its own, so its run goes on. Then B's claim
     * lands. Before the fix the claim did not check the lease again (only its read had), so B ran the task beside
     * A's copy, which nothing stopped (A's next renewals were in time, so it did not look again). Now a claim locks
     * the owner's member row and takes the invocation only if that lease has still lapsed: B claims nothing, or A
     * stops its copy.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aClaimThatLandsAfterTheOwnerRenewedDoesNotRunATaskTheOwnerStillRuns(Databases.Database database)
            throws Exception {
        String prefix = "lt" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000 + "_";
        JdbcTaskStore store = new JdbcTaskStore(database.dataSource(), prefix);
        store.initializeSchema();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        PausedOrphanRead bSource = new PausedOrphanRead(database.dataSource());
        AtomicInteger bClaimsAnswered = new AtomicInteger();
        ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(new JdbcTaskStore(bSource.dataSource(), prefix)) {
            @Override
            public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
                try {
                    return super.claimOrphans(incarnation, handlers, limit);
                }
                finally {
                    bClaimsAnswered.incrementAndGet();
                }
            }
        };
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskOrchestrator a = holding(on(aStore, "member-a", Duration.ofSeconds(1)), aStarted, never).build();
                TaskOrchestrator b = holding(on(bStore, "member-b", Duration.ofSeconds(3)), bStarted, never).build()) {
            long aIncarnation = a.storeStatistics().orElseThrow().incarnation();
            SpawningTask<String> onA = a.to(String.class).durable("hold", "job").run();
            assertThat(aStarted.await(30, TimeUnit.SECONDS)).isTrue();
            bSource.armed.set(true);
            aStore.down = true;
            assertThat(bSource.paused.await(30, TimeUnit.SECONDS)).as("B read the invocation as an orphan").isTrue();
            int renewals = aStore.renewals.get();
            aStore.down = false;
            await().atMost(CEILING).alias("A renewed its lease, and looked, twice")
                    .until(() -> aStore.renewals.get() >= renewals + 2);
            int answered = bClaimsAnswered.get();
            bSource.go.countDown();
            await().atMost(CEILING).alias("B's claim is answered").until(() -> bClaimsAnswered.get() > answered);

            await().atMost(CEILING).alias("one run only: B did not take the task over, or A stopped its copy")
                    .until(() -> store.durable(onA.id()).orElseThrow().owner() == aIncarnation || onA.isDone());
            if (onA.isDone()) {
                assertLost(onA.result());
            }
            else {
                assertThat(bStarted.getCount()).as("B did not run it").isEqualTo(1);
            }
        }
        finally {
            never.countDown();
            bSource.go.countDown();
        }
    }

    private static void assertLost(TaskResult<String> result) {
        assertThat(result.isOk()).isFalse();
        assertThatThrownBy(result::orElseThrow).isInstanceOf(TaskLostException.class).hasMessageContaining("member-a")
                .hasMessageContaining("another member claimed it");
    }

    /**
     * A data source whose query for orphaned durable invocations, once {@link #armed}, pauses after it ran (signalling
     * {@link #paused}) until {@link #go}: the orphans are read, and the claim is still to come. It holds no lock while
     * it waits (the read is an auto-commit select).
     */
    private static final class PausedOrphanRead {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);
        private final DataSource target;

        PausedOrphanRead(DataSource target) {
            this.target = target;
        }

        DataSource dataSource() {
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] { DataSource.class },
                    (proxy, method, args) -> {
                        Object answer = invoke(target, method, args);
                        return answer instanceof Connection connection ? connection(connection) : answer;
                    });
        }

        private Connection connection(Connection connection) {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                        Object answer = invoke(connection, method, args);
                        if (method.getName().equals("prepareStatement") && args.length == 1
                                && ((String) args[0]).contains("durable d WHERE status = 'PENDING' AND handler IN")) {
                            return pausing((PreparedStatement) answer);
                        }
                        return answer;
                    });
        }

        private PreparedStatement pausing(PreparedStatement statement) {
            return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] { PreparedStatement.class }, (proxy, method, args) -> {
                        Object answer = invoke(statement, method, args);
                        if (method.getName().equals("executeQuery") && armed.compareAndSet(true, false)) {
                            paused.countDown();
                            go.await();
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
    }
}
