package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Round 3 of the hostile review of the cluster: stale views, remote refusals, racing ends. */
@Timeout(150)
class ClusterRound3Test {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private DurableMembers durable;
    private TestCluster test;

    @AfterEach
    void stop() {
        if (durable != null) {
            durable.close();
        }
        if (test != null) {
            test.close();
        }
    }

    private TestCluster.Member memberNamed(String name) {
        return test.members.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    /**
     * SPEC 7: the handle's metrics are the work's figures where it ran, once it ended. A value that cannot be sent
     * back in the end message (the task ran past the inline window) turns into a {@code FAILED} outcome saying so;
     * that outcome went without the work's figures (the start's answer keeps them in the same case), so the handle
     * answered its own figures, the time it waited.
     */
    @Test
    void aValueThatCannotBeSentBackStillBringsTheWorksMetrics() {
        test = TestCluster.start(2, ClusterHostileTest::handlers);
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> remote = a.orchestrator.to(Object.class).anywhere().run("opaque-later", "x");
        ClusterHostileTest.awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);

        TestCluster.Member there = test.get(1);
        await().atMost(CEILING).until(() -> there.orchestrator.liveCount() == 0);
        TaskInfo work = there.orchestrator.recent().stream()
                .filter(info -> (a.name + "/" + remote.id()).equals(info.tags().get("placed-from")))
                .findFirst().orElseThrow();
        assertThat(remote.metrics().runTime()).isEqualTo(work.metrics().runTime());
        assertThat(remote.metrics().queueWait()).isEqualTo(work.metrics().queueWait());
    }

    /**
     * Cancel by id from a third member racing the natural end of work placed from a on b: every handle ends with one
     * honest status (the cancel said true: cancelled; false: completed), and no body is left running there.
     */
    @Test
    void aCancelByIdFromAThirdMemberRacingTheNaturalEndGivesOneHonestStatus() {
        test = TestCluster.start(3, (index, builder) -> builder.handler("brief", String.class, any -> {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000));
            return "done";
        }));
        TestCluster.Member a = test.busyFirst();
        for (int round = 0; round < 30; round++) {
            SpawningTask<String> placed = a.orchestrator.to(String.class).anywhere().run("brief", "x");
            TestCluster.Member canceller = test.get(1 + round % 2);
            boolean cancelled = canceller.cluster.cancel(placed.id());
            ClusterHostileTest.awaitTerminal(placed);
            assertThat(placed.status()).as("round %d, cancel answered %s", round, cancelled)
                    .isEqualTo(cancelled ? TaskStatus.CANCELLED : TaskStatus.COMPLETED);
        }
        for (TestCluster.Member member : test.members) {
            await().atMost(CEILING).until(() -> member == a ? member.orchestrator.liveCount() <= 2
                    : member.orchestrator.liveCount() == 0);
        }
    }

    /**
     * Member b's orchestrator is closed while its Hazelcast member stays, and a's view of it is from before: a
     * stores a durable task owned by b's (closed) incarnation and starts it there. The start found no orchestrator
     * on b, and the handle ended {@code FAILED} ({@code could not be started there: IllegalStateException}) though
     * nothing ran and the stored invocation, still pending, would run later anyway. It must run (here) and the
     * handle must follow it.
     */
    @Test
    void aDurableTaskPlacedOnAMemberWhoseOrchestratorHasClosedRunsAndItsHandleFollows() {
        durable = DurableMembers.start(2, Duration.ofMinutes(3));
        TestCluster.Member a = durable.get(0);
        TestCluster.Member b = durable.get(1);
        a.orchestrator.to(String.class).run(() -> durable.cluster.hold(a.name));
        await().alias("a body held on a").atMost(CEILING).until(() -> durable.cluster.heldCount() == 1);
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        MemberLoad before = b.cluster.loads().of(bMember);
        b.orchestrator.close();
        a.hazelcast.<UUID, MemberLoad>getReplicatedMap(MemberLoads.MAP).put(bMember.getUuid(), before);
        await().alias("a sees b's load from before").atMost(CEILING).until(() -> a.cluster.loads().seen(bMember) != null);

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("durable-after-close").durable("where", "x")
                .run();

        await().alias("the durable task placed on the closed member ends").atMost(CEILING).until(placed::isDone);
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));
    }
}
