package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.DurableRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 16: a durable task placed from member 0 runs on member 1, which dies; member 2 claims it, but its group is
 * full: the re-run is turned away unrun and handed over, to run again at a later look (Review15DurGroupFullRerunTest,
 * on one store). The caller's handle on member 0 must follow the invocation ("the caller's SpawningTask reflects the
 * remote task"; "re-run on another member if durable"), not end FAILED (rejected) while the invocation runs later
 * and completes.
 */
@Timeout(180)
class Review16PlacedRerunGroupFullTest {

    private static final Duration CEILING = Duration.ofSeconds(60);
    private static final LimiterConfig MAIL = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
            .withLimits(1, 1, 1).withQueueCapacity(1).withMaxWait(Duration.ofHours(1));

    private DurableMembers test;
    private final CountDownLatch free = new CountDownLatch(1);

    @AfterEach
    void stop() {
        free.countDown();
        if (test != null) {
            test.close();
        }
    }

    @Test
    void theCallersHandleFollowsAReRunTurnedAwayUnrun() {
        test = DurableMembers.start(3, (index, builder) -> builder.group("mail", MAIL));
        TestCluster.Member caller = test.get(0);
        TestCluster.Member claimer = test.get(2);
        // The caller is busy with work of its own, and the claimer's group is full (one running, one queued):
        // the least loaded member, 1, is where the durable task goes.
        for (int i = 0; i < 4; i++) {
            caller.orchestrator.to(String.class).run(() -> {
                free.await();
                return "own";
            });
        }
        CountDownLatch claimerBusy = new CountDownLatch(1);
        List<SpawningTask<String>> claimersOwn = new ArrayList<>();
        claimersOwn.add(claimer.orchestrator.to(String.class).group("mail").run(() -> {
            claimerBusy.countDown();
            free.await();
            return "own";
        }));
        claimersOwn.add(claimer.orchestrator.to(String.class).group("mail").run(() -> "queued"));

        SpawningTask<String> task = caller.orchestrator.to(String.class).group("mail").durable("first-holds", "x").run();
        TaskId id = task.id();
        await().atMost(CEILING).until(() -> test.holding.get() >= 1);
        assertThat(test.runs.get("x")).as("placed on member 1").containsExactly(test.get(1).name);

        AtomicInteger bounces = new AtomicInteger();
        claimer.orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo info) {
                if (info.id().equals(id) && info.status() == TaskStatus.CANCELLED && info.failure() != null
                        && info.failure().message().contains("turned away here before it ran")) {
                    bounces.incrementAndGet();
                }
            }
        });
        test.views.get(0).refuseClaims(); // member 2 claims the orphan, not the caller
        test.kill(1);
        await().atMost(CEILING).alias("member 2 turned the re-run away unrun, twice")
                .until(() -> bounces.get() >= 2);
        assertThat(task.isDone()).as("the caller's handle (%s, %s) still waits for the invocation, pending in the "
                + "store: %s", task.status(), task.info().failure(),
                test.store.durable(id).map(DurableRecord::status).orElse("<none>")).isFalse();

        free.countDown();
        claimersOwn.forEach(SpawningTask::join);
        await().atMost(CEILING).until(task::isDone);
        assertThat(task.join()).as("the caller's handle ends as the run that went through").isEqualTo(claimer.name);
        await().atMost(CEILING).alias("its end written by member 2") // within the flush interval
                .until(() -> test.store.durable(id).map(DurableRecord::status).orElse("").equals("COMPLETED"));
        assertThat(test.runs.get("x")).as("run on 1, then on 2 once").containsExactly(test.get(1).name, claimer.name);
    }
}
