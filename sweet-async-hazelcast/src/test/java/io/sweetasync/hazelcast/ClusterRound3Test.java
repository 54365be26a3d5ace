package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Round 3 of the hostile review of the cluster: stale views, remote refusals, racing ends. */
@Timeout(150)
class ClusterRound3Test {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private DurableMembers durable;

    @AfterEach
    void stop() {
        if (durable != null) {
            durable.close();
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
