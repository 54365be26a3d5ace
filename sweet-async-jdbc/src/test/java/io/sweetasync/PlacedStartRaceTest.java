package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.jdbc.JsonDurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * Race (SPEC §6, at least once and never twice while the owner lives): another member stored an invocation owned
 * by this member and sends the placement ({@code Durables.startPlaced}); meanwhile this member's lease keeper found
 * the invocation owned here and unknown at two looks, and runs it. The placement has read the invocation (pending,
 * owned here) just before; it must follow the run the look started, not start a second. In package
 * {@code io.sweetasync} to send the placement as the cluster would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlacedStartRaceTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @RepeatedTest(5)
    void aPlacementArrivingWhileALookRunsTheInvocationFollowsThatRun() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:placedrace" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        JdbcTaskStore store = new JdbcTaskStore(h2);
        store.initializeSchema();
        Thread placing = Thread.currentThread();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        // The placement's read of the task record (after its read of the invocation, before it starts a run) waits
        // until the look's run has begun.
        TaskStore hooked = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(),
                new Class<?>[] { TaskStore.class }, (proxy, method, args) -> {
                    if (method.getName().equals("find") && Thread.currentThread() == placing) {
                        assertThat(running.await(30, TimeUnit.SECONDS)).as("the look runs it").isTrue();
                    }
                    try {
                        return method.invoke(store, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
        try (TaskOrchestrator member = TaskOrchestrator.builder().store(hooked).member("member-b")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(1)).handler("charge", String.class, customer -> {
                    runs.incrementAndGet();
                    running.countDown();
                    finish.await();
                    return "charged " + customer;
                }).build()) {
            long incarnation = member.to(String.class).run(() -> "x").id().incarnation();
            TaskId id = TaskId.of(incarnation, 1_000_000);
            long now = System.currentTimeMillis();
            // As another member stores it for this one: owned by this member's incarnation.
            store.enqueue(new DurableRecord(id.value(), "charge", "\"acme\"", "PENDING", 1, incarnation, null, null, now),
                    new TaskRecord(id.value(), 0, id.value(), "charge", "PENDING", "NORMAL", null, "virtual", Map.of(),
                            now, 0, 0, 1, null, null, 0, 0, -1, -1, -1, -1, "UUUU", "member-a", incarnation, true));
            AtomicReference<RemoteOutcome> answered = new AtomicReference<>();
            // waits in find until the look runs it
            member.parts().durables().startPlaced(id, answered::set, "member-b");
            finish.countDown();
            await().atMost(Duration.ofSeconds(30)).alias("the placement hears how the run ended")
                    .until(() -> answered.get() != null);
            assertThat(answered.get().lost()).as("answered " + answered.get()).isFalse();
            assertThat(runs).as("runs").hasValue(1);
            await().atMost(Duration.ofSeconds(30)).alias("its end is written")
                    .until(() -> store.durable(id).orElseThrow().status().equals("COMPLETED"));
            assertThat(runs).as("runs").hasValue(1);
        }
    }
}
