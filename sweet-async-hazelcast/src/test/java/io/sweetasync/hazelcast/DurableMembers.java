package io.sweetasync.hazelcast;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.jdbc.JdbcTaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Three real members sharing one store: a real PostgreSQL when {@code SWEET_ASYNC_POSTGRES_URL} is set (as
 * {@code .ci/run} does after {@code .ci/postgres start}), else H2 in memory in this JVM; tables of their own
 * prefix per test. Each member reaches it through a {@link CutOffStore} so that a test can kill one: cut
 * it from the store and terminate its Hazelcast member. Short leases (4 s) keep the tests quick; not shorter: a member renews every third of its lease, and one whose renewal stalls past the lease (a loaded machine) loses its runs to the others. Handlers: {@code "first-holds"} holds its first run of an argument until released
 * (or interrupted) and returns at once on later runs; every run answers the member it ran on.
 */
final class DurableMembers implements AutoCloseable {

    static final Duration LEASE = Duration.ofSeconds(4);

    final TestCluster cluster;
    final JdbcTaskStore store;
    final List<CutOffStore> views = new ArrayList<>();
    /** Runs by argument, and the members they ran on, in order. */
    final Map<String, List<String>> runs = new ConcurrentHashMap<>();
    /** {@code TaskContext.attempt()} of each run, by argument. */
    final Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    final AtomicInteger holding = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);

    private DurableMembers(int size, Duration lease,
            BiFunction<Integer, TaskOrchestrator.Builder, TaskOrchestrator.Builder> more) {
        String postgres = System.getenv("SWEET_ASYNC_POSTGRES_URL");
        if (postgres != null && !postgres.isBlank()) {
            store = new JdbcTaskStore(pooled(postgres), "d" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_");
        }
        else {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:durable-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            store = new JdbcTaskStore(h2);
        }
        store.initializeSchema();
        for (int i = 0; i < size + 4; i++) { // and for the members cluster.join() adds
            views.add(new CutOffStore(store));
        }
        cluster = TestCluster.start(size, (index, builder) -> more.apply(index, builder.store(views.get(index))
                .member("member-" + index).durableCodec(new TextCodec()).storeLease(lease)
                .storeFlushInterval(Duration.ofMillis(100))
                .handler("first-holds", String.class, argument -> firstHolds(argument, index))));
    }

    private static HikariDataSource pool;

    /**
     * One connection pool for the JVM, as an application runs its store on: the store takes a connection per
     * call, and opening a PostgreSQL connection (SSL refusal, start-up, setup queries, a server process) took
     * most of these tests' time on a loaded two-core runner.
     */
    private static synchronized HikariDataSource pooled(String url) {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(20);
            config.setMinimumIdle(0);
            config.setPoolName("sweet-async-test-postgres");
            pool = new HikariDataSource(config);
        }
        return pool;
    }

    static DurableMembers start(int size) {
        return start(size, (index, builder) -> builder);
    }

    /** With more configuration per member, by its index. */
    static DurableMembers start(int size, BiFunction<Integer, TaskOrchestrator.Builder, TaskOrchestrator.Builder> more) {
        return new DurableMembers(size, LEASE, more);
    }

    /** Members with a lease of {@code lease}: one longer than a test's ceiling shows what waits for it. */
    static DurableMembers start(int size, Duration lease) {
        return new DurableMembers(size, lease, (index, builder) -> builder);
    }

    private String firstHolds(String argument, int index) throws InterruptedException {
        String member = cluster.get(index).name;
        List<String> ranOn = runs.computeIfAbsent(argument, any -> new java.util.concurrent.CopyOnWriteArrayList<>());
        attempts.computeIfAbsent(argument, any -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(io.sweetasync.TaskContext.current().orElseThrow().attempt());
        ranOn.add(member);
        if (ranOn.size() == 1) {
            holding.incrementAndGet();
            try {
                release.await();
            }
            finally {
                holding.decrementAndGet();
            }
        }
        return member;
    }

    TestCluster.Member get(int index) {
        return cluster.get(index);
    }

    /** Kills member {@code index} as a crash would look to the others: no store, no cluster membership. */
    void kill(int index) {
        views.get(index).cut();
        get(index).hazelcast.getLifecycleService().terminate();
    }

    @Override
    public void close() {
        release.countDown();
        cluster.close();
    }
}
