package io.sweetasync.hazelcast;

import static io.sweetasync.hazelcast.ClusterHostileTest.awaitTerminal;
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

/**
 * Placements chosen by a view of the members older than what a member does now. Members publish their load
 * every interval, so for up to an interval (200 ms by default) the others still see a member that has begun
 * to shut down as one that takes work; here its publications are held back so that the window stays open.
 */
@Timeout(150)
class ClusterStaleViewTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeEach
    void form() {
        test = TestCluster.start(2);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    /**
     * A rolling restart: member b drains ({@code shutdown(grace)}) and admits no new task, but a's view of it
     * is from before, so a places work there. b rejected it (a task that never ran), and the caller's handle
     * ended {@code FAILED} with a {@code RemoteTaskException: TaskRejectedException ... the orchestrator is
     * shutting down}, while a could have run it. Nothing ran on b: the work must be placed again.
     */
    @Test
    void workPlacedOnAMemberThatHasBegunToShutDownIsPlacedAgainElsewhere() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        a.orchestrator.to(String.class).run(() -> test.hold(a.name));
        a.orchestrator.to(String.class).run(() -> test.hold(a.name));
        b.orchestrator.to(String.class).run(() -> test.hold(b.name));
        await().alias("three bodies held").atMost(CEILING).until(() -> test.heldCount() == 3);
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        MemberLoad before = TestCluster.ownLoad(b);
        b.cluster.loads().stop(); // b publishes no more: its last load, put back, stays what a sees
        TestCluster.putStale(a, bMember, new MemberLoad(before.member(), 0, before.placedBy(), before.headroom(), // a sees
                before.handlers(), before.durableOwner())); // b's load from before, idle
        Thread drain = Thread.ofPlatform().daemon().start(() -> b.orchestrator.shutdown(Duration.ofMinutes(5)));
        await().alias("b drains").atMost(CEILING).until(() -> !b.orchestrator.isAccepting());

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("during-drain").anywhere().run("where", "x");

        awaitTerminal(placed);
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));
        test.release.countDown();
        await().alias("b's drain ends").atMost(CEILING).until(() -> !drain.isAlive());
    }

    /**
     * Member b's orchestrator is closed while its Hazelcast member stays (a context refresh, an application that
     * closes its orchestrator first), and a's view of it is from before: the start found no orchestrator there
     * and the handle ended {@code FAILED} ({@code could not be started there: IllegalStateException: no Sweet
     * Async orchestrator is attached to Hazelcast member ...}). Nothing ran on b: the work must be placed again.
     */
    @Test
    void workPlacedOnAMemberWhoseOrchestratorHasClosedIsPlacedAgainElsewhere() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        a.orchestrator.to(String.class).run(() -> test.hold(a.name));
        await().alias("a body held on a").atMost(CEILING).until(() -> test.heldCount() == 1);
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        MemberLoad before = TestCluster.ownLoad(b);
        b.orchestrator.close();
        TestCluster.putStale(a, bMember, before); // a sees b's load from before

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("after-close").anywhere().run("where", "x");

        awaitTerminal(placed);
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));
    }
}
