package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import io.sweetasync.jdbc.JdbcTaskStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of "a re-run keeps the retry policy it was submitted with" for a placed durable task whose member dies
 * and whose re-run is claimed by the member that placed it: that re-run runs inside the placing member's mirror
 * node, which was made with {@code RetryPolicy.none()} (it follows another member's run); it ran once and failed
 * for good at its first IOException. The mirror now retries a run claimed here under the submitted policy.
 */
@Timeout(120)
class DurableSettingsPlacedReviewTest {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private final Map<String, List<String>> runs = new ConcurrentHashMap<>();
    private final AtomicInteger holding = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    @Test
    void aPlacedTaskReRunByItsCallerAfterItsMemberDiedKeepsItsRetryPolicy() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:placed-settings-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        List<CutOffStore> views = new ArrayList<>();
        views.add(new CutOffStore(store));
        views.add(new CutOffStore(store));
        TestCluster[] holder = new TestCluster[1];
        TestCluster cluster = TestCluster.start(2, (index, builder) -> builder.store(views.get(index))
                .member("member-" + index).durableCodec(new TextCodec()).storeLease(Duration.ofSeconds(2))
                .storeFlushInterval(Duration.ofMillis(100))
                .handler("flaky", String.class, argument -> flaky(argument, holder[0].get(index).name)));
        holder[0] = cluster;
        try {
            TestCluster.Member caller = cluster.get(0);
            caller.orchestrator.to(String.class).durable("flaky", "busy").run(); // the caller is busier
            await().atMost(CEILING).alias("the caller's own work holds").until(() -> holding.get() == 1);
            SpawningTask<String> task = caller.orchestrator.to(String.class).named("placed")
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(10))))
                    .durable("flaky", "placed").run();
            await().atMost(CEILING).alias("placed on the other member, holding").until(() -> holding.get() == 2);
            String victim = runs.get("placed").getFirst();
            assertThat(victim).isNotEqualTo(caller.name);
            views.get(1).cut();
            cluster.get(1).hazelcast.getLifecycleService().terminate();

            await().atMost(CEILING).alias("the handle ends").until(task::isDone);
            assertThat(runs.get("placed")).as("the lost run, then the caller's: two IOExceptions, then a value")
                    .containsExactly(victim, caller.name, caller.name, caller.name);
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        }
        finally {
            release.countDown();
            cluster.close();
        }
    }

    /** The first run of an argument holds; its second and third runs fail with an IOException; then a value. */
    private String flaky(String argument, String member) throws Exception {
        List<String> ranOn = runs.computeIfAbsent(argument, any -> new CopyOnWriteArrayList<>());
        ranOn.add(member);
        if (ranOn.size() == 1) {
            holding.incrementAndGet();
            try {
                release.await();
            }
            finally {
                holding.decrementAndGet();
            }
            return member;
        }
        if (ranOn.size() <= 3) {
            throw new IOException("mail server busy (run " + ranOn.size() + ")");
        }
        return member;
    }
}
