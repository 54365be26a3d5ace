package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 21: a durable task placed from member 0 on member 1, whose start reaches member 1 once it began shutting
 * down: member 1 turns it back unrun (DurableStarts.startable, released unrun). It never ran there, so the run that
 * goes through next (member 0 claims it, its handle runs it) is its attempt 1, not 2.
 */
@Timeout(180)
class Review21PlacedTurnedBackAttemptTest {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private DurableMembers test;
    private final CountDownLatch free = new CountDownLatch(1);
    private final AtomicReference<Runnable> start = new AtomicReference<>();
    private final List<String> attempts = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        free.countDown();
        if (test != null) {
            test.close();
        }
    }

    @Test
    void aPlacementTurnedBackByItsMembersShutdownRunsFirstAsAttemptOne() throws Exception {
        test = DurableMembers.start(2, (index, builder) -> {
            builder.handler("attempt", String.class, argument -> {
                attempts.add(index + ":" + TaskContext.current().orElseThrow().attempt());
                return "ran on " + index;
            });
            return index == 0 ? builder.durableStartGate((go, abandon) -> start.set(go)) : builder;
        });
        TestCluster.Member caller = test.get(0);
        TestCluster.Member placed = test.get(1);
        for (int i = 0; i < 4; i++) { // the caller is busy: member 1 is where the durable task goes
            caller.orchestrator.to(String.class).run(() -> {
                free.await();
                return "own";
            });
        }
        SpawningTask<String> task = caller.orchestrator.to(String.class).durable("attempt", "x").run();
        TaskId id = task.id();
        assertThat(start.get()).as("stored, its start held by the gate").isNotNull();
        assertThat(test.store.durable(id).map(DurableRecord::attempts)).as("stored as placed").contains(1);

        // member 1 begins shutting down (its own work keeps it in its grace), then the start reaches it
        CountDownLatch busy = new CountDownLatch(1);
        placed.orchestrator.to(String.class).run(() -> {
            busy.countDown();
            free.await();
            return "own";
        });
        assertThat(busy.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.ofVirtual().start(() -> placed.orchestrator.shutdown(Duration.ofSeconds(60)));
        await().atMost(CEILING).until(() -> !placed.orchestrator.isAccepting());
        start.get().run();

        await().atMost(CEILING).alias("the invocation ran elsewhere").until(task::isDone);
        assertThat(task.join()).isEqualTo("ran on 0");
        assertThat(attempts).as("its first real run is attempt 1: member 1 ran nothing").containsExactly("0:1");
    }
}
