package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A durable task placed on a member by a load older than its shutdown (see {@link ClusterStaleViewTest}). */
@Timeout(150)
class DurableStaleViewTest {

    private static final Duration CEILING = Duration.ofSeconds(30);
    /** Longer than the ceiling, and its third too: nothing here may wait for a lease or a regular look. */
    private static final Duration LEASE = Duration.ofMinutes(3);

    private DurableMembers test;

    @BeforeEach
    void form() {
        test = DurableMembers.start(2, LEASE);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    /**
     * Member b drains ({@code shutdown(5 min)}) and a's view of it is from before, so a stores a durable task
     * owned by b's incarnation and starts it there. b runs nothing new: it used to hand the invocation back only
     * "when the member closes", its lease renewed while it drained, so the caller's handle (and the work) waited
     * out b's whole grace period, minutes, though a could run it at once (the handle was still waiting after 30 s).
     * Now b releases it to the store at once (it never started there) and a, told it was not run there, claims it
     * at its next interval (not at its next regular look, a third of the lease later) and runs it.
     */
    @Test
    void aDurableTaskPlacedOnADrainingMemberDoesNotWaitOutItsGrace() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        a.orchestrator.to(String.class).run(() -> test.cluster.hold(a.name));
        b.orchestrator.to(String.class).run(() -> test.cluster.hold(b.name));
        await().alias("a body held on each member").atMost(CEILING).until(() -> test.cluster.heldCount() == 2);
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        MemberLoad before = TestCluster.ownLoad(b);
        b.cluster.loads().stop();
        TestCluster.putStale(a, bMember, new MemberLoad(before.member(), 0, before.placedBy(), before.headroom(), // a sees
                before.handlers(), before.durableOwner())); // b's load from before, idle
        Thread drain = Thread.ofPlatform().daemon().start(() -> b.orchestrator.shutdown(Duration.ofMinutes(5)));
        await().alias("b drains").atMost(CEILING).until(() -> !b.orchestrator.isAccepting());

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("durable-during-drain").durable("where", "x")
                .run();

        await().alias("the durable task placed on the draining member ends").atMost(CEILING).until(placed::isDone);
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));
        test.cluster.release.countDown();
        await().alias("b's drain ends").atMost(CEILING).until(() -> !drain.isAlive());
    }
}
