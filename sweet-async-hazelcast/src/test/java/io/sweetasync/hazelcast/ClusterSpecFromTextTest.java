package io.sweetasync.hazelcast;

import static io.sweetasync.hazelcast.ClusterHostileTest.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.ClusterTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC section 7 read as text, on three real members that share one cluster (settled after every test):
 * each test holds one promise of the section's wording that no other test held as stated.
 */
@Timeout(150)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSpecFromTextTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeAll
    void form() {
        test = TestCluster.start(3, (index, builder) -> builder
                .group("one", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                // a placed body with a child of its own on its member, and work it places in turn
                .handler("fan", String.class, any -> {
                    TaskContext here = TaskContext.current().orElseThrow();
                    SpawningTask<String> kid = here.child(String.class).named("local-kid").run(() -> test.hold("kid"));
                    SpawningTask<String> far = here.child(String.class).named("hop2").anywhere().run("hold", "x");
                    return kid.join() + "+" + far.join();
                }));
    }

    @AfterEach
    void settle() {
        test.settle();
    }

    @AfterAll
    void stop() {
        test.close();
    }

    private TestCluster.Member memberNamed(String name) {
        return test.members.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    /**
     * "A remote task is a child of the task that started it; its own children on its member belong to the same
     * tree; snapshots stitch the tree together": a root on a, whose child places work on x, which starts a child
     * of its own on x and places more work on a third member y, reads as one tree from any member.
     */
    @Test
    void aRemoteTasksOwnChildrenAndTheWorkItPlacesInTurnAreStitchedIntoOneTree() {
        TestCluster.Member a = test.busyFirst();
        AtomicReference<SpawningTask<String>> hop1 = new AtomicReference<>();
        CountDownLatch placed = new CountDownLatch(1);
        SpawningTask<String> root = a.orchestrator.to(String.class).named("root").run(() -> {
            hop1.set(a.orchestrator.to(String.class).named("hop1").anywhere().run("fan", "x"));
            placed.countDown();
            return hop1.get().join();
        });
        // a's body, x's own child and the work x placed on y
        await().atMost(CEILING).until(() -> placed.getCount() == 0 && test.heldCount() == 3);

        for (TestCluster.Member viewer : test.members) {
            ClusterTask tree = ClusterTask.stitch(viewer.cluster.members()).stream()
                    .filter(t -> t.task().id().equals(root.id())).findFirst()
                    .orElseThrow(() -> new AssertionError("no tree of root " + root.id() + " seen from " + viewer.name));
            assertThat(tree.member()).isEqualTo(a.name);
            ClusterTask handle = only(tree.children());
            assertThat(handle.task().id()).isEqualTo(hop1.get().id());
            assertThat(handle.member()).isEqualTo(a.name);
            ClusterTask work = only(handle.children());
            assertThat(work.member()).as("seen from %s", viewer.name).isNotEqualTo(a.name);
            assertThat(work.task().name()).isEqualTo("hop1");
            assertThat(work.children()).as("seen from %s", viewer.name)
                    .extracting(t -> t.task().name() + "@" + t.member())
                    .containsExactly("local-kid@" + work.member(), "hop2@" + work.member());
            ClusterTask furtherWork = only(work.children().get(1).children());
            assertThat(furtherWork.task().name()).isEqualTo("hop2");
            assertThat(furtherWork.member()).isNotIn(a.name, work.member());
        }

        test.release.countDown();
        String ranOn = test.held.keySet().stream().filter(m -> !m.equals(a.name) && !m.equals("kid")).findFirst()
                .orElseThrow();
        assertThat(root.join()).isEqualTo("kid+" + ranOn);
        assertThat(root.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    /**
     * "{@code cancel()} (interrupting the remote body)" over a tree that spans three members: cancelling its root
     * stops the work placed on x, x's own child there and the work x placed in turn on y; nothing is released,
     * so every body that goes on holding keeps its member busy.
     */
    @Test
    void cancellingTheRootOfATreeAcrossThreeMembersStopsEveryBodyInIt() {
        TestCluster.Member a = test.busyFirst();
        AtomicReference<SpawningTask<String>> hop1 = new AtomicReference<>();
        CountDownLatch placed = new CountDownLatch(1);
        SpawningTask<String> root = a.orchestrator.to(String.class).named("root").run(() -> {
            hop1.set(a.orchestrator.to(String.class).named("hop1").anywhere().run("fan", "x"));
            placed.countDown();
            return hop1.get().join();
        });
        await().atMost(CEILING).until(() -> placed.getCount() == 0 && test.heldCount() == 3);

        assertThat(root.cancel()).isTrue();

        awaitTerminal(hop1.get());
        assertThat(hop1.get().status()).isEqualTo(TaskStatus.CANCELLED);
        // a keeps only the busy task from busyFirst(); the others run nothing, though no body was released
        await().atMost(CEILING).untilAsserted(() -> assertThat(test.members.stream()
                .map(m -> m.name + "=" + m.orchestrator.liveCount()).toList())
                .containsExactlyInAnyOrder(a.name + "=" + a.orchestrator.liveCount(),
                        test.get(1).name + "=0", test.get(2).name + "=0"));
        assertThat(a.orchestrator.liveCount()).isBetween(1, 2); // the busy handle, and its child when it ran here
    }

    /**
     * "Cancel by id works wherever the task runs", for a task that is not a root: a child in a tree submitted
     * and run on one member is cancelled by its id from a member that neither submitted nor runs it; its body
     * is interrupted, and only its subtree ends (its sibling and its parent go on).
     */
    @Test
    void aChildTaskIsCancelledByIdFromAMemberThatNeitherSubmittedNorRunsIt() {
        TestCluster.Member b = test.get(1);
        TestCluster.Member c = test.get(2);
        List<SpawningTask<String>> kids = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<String> parent = b.orchestrator.to(String.class).named("parent").run(() -> {
            TaskContext here = TaskContext.current().orElseThrow();
            kids.add(here.child(String.class).named("victim").run(() -> test.hold("victim")));
            kids.add(here.child(String.class).named("sibling").run(() -> test.hold("sibling")));
            started.countDown();
            return "parent";
        });
        await().atMost(CEILING).until(() -> started.getCount() == 0 && test.heldCount() == 2);

        assertThat(c.cluster.cancel(kids.get(0).id())).isTrue();

        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        awaitTerminal(kids.get(0));
        assertThat(kids.get(0).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(kids.get(1).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(parent.status()).isEqualTo(TaskStatus.RUNNING);
        test.release.countDown();
        assertThat(kids.get(1).join()).isEqualTo("sibling");
        assertThat(parent.join()).isEqualTo("parent");
    }

    /**
     * The same from the member that submitted the tree's root, cancelling a task that runs on another member
     * because it was placed there: the work there (not its handle here) is named, by the id it has there.
     */
    @Test
    void placedWorkIsCancelledByItsOwnIdFromTheMemberThatPlacedItAndTheHandleFollows() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> handle = a.orchestrator.to(String.class).named("far").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        String ranOn = test.held.keySet().stream().filter(m -> !m.equals(a.name)).findFirst().orElseThrow();
        TaskInfo work = memberNamed(ranOn).orchestrator.roots().stream()
                .filter(root -> (a.name + "/" + handle.id()).equals(root.tags().get(ClusterTask.PLACED_FROM)))
                .findFirst().orElseThrow();

        assertThat(a.cluster.cancel(work.id())).isTrue();

        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        awaitTerminal(handle);
        assertThat(handle.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    /**
     * "Cancel by id works wherever the task runs", through the API SPEC names for it,
     * {@code TaskOrchestrator.cancel(TaskId)}: on a member that neither submitted nor runs the task.
     */
    @Test
    void theOrchestratorOfAMemberThatNeitherSubmittedNorRunsATaskCancelsItById() {
        TestCluster.Member b = test.get(1);
        TestCluster.Member c = test.get(2);
        SpawningTask<String> victim = b.orchestrator.to(String.class).named("victim").run(() -> test.hold("victim"));
        await().atMost(CEILING).until(() -> test.heldCount() == 1);

        assertThat(c.orchestrator.cancel(victim.id())).isTrue();

        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        awaitTerminal(victim);
        assertThat(victim.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(c.orchestrator.cancel(victim.id())).as("finished").isFalse();
        assertThat(c.orchestrator.cancel(TaskId.of(999_999, 1))).as("unknown").isFalse();
    }

    /**
     * "Run on the least loaded member (live tasks and group headroom)": a member with fewer live tasks whose
     * group has no headroom left is passed over for one with more live tasks and headroom in that group; work
     * of no group goes to the member with fewer live tasks.
     */
    @Test
    void aMemberWithoutHeadroomInTheTasksGroupIsPassedOverThoughItRunsFewerTasks() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        TestCluster.Member c = test.get(2);
        for (int i = 0; i < 3; i++) {
            a.orchestrator.to(String.class).run(() -> test.hold(a.name));
            c.orchestrator.to(String.class).run(() -> test.hold(c.name));
        }
        b.orchestrator.to(String.class).group("one").run(() -> test.hold(b.name)); // b's share of "one" is used up
        await().atMost(CEILING).until(() -> test.heldCount() == 7);
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        Member cMember = c.hazelcast.getCluster().getLocalMember();
        await().atMost(CEILING).until(() -> {
            MemberLoad seenB = a.cluster.loads().seen(bMember); // what a's placements read
            MemberLoad seenC = a.cluster.loads().seen(cMember);
            return seenB != null && seenB.live() == 1 && Integer.valueOf(0).equals(seenB.headroom().get("one"))
                    && seenC != null && seenC.live() == 3;
        });

        assertThat(a.orchestrator.to(String.class).anywhere().await("where", "x")).as("no group: fewest live tasks")
                .isEqualTo(b.name);
        assertThat(a.orchestrator.to(String.class).group("one").anywhere().await("where", "x"))
                .as("group one: b has no headroom").isNotEqualTo(b.name);
    }

    /**
     * "The caller's {@code SpawningTask} reflects the remote task: status": work placed on a member where it waits
     * for a permit of its group is {@code QUEUED} there, and so is its handle (its own body runs: it placed the work
     * and waits for it); once the work's body begins there, the handle says {@code RUNNING}. It said
     * {@code RUNNING} from the moment it placed the work.
     */
    @Test
    void aHandleWhoseWorkWaitsForAPermitThereIsQueued() {
        TestCluster.Member a = test.get(0);
        List<SpawningTask<String>> holders = new ArrayList<>();
        for (TestCluster.Member member : test.members) {
            holders.add(member.orchestrator.to(String.class).group("one").run(() -> test.hold(member.name)));
        }
        for (int i = 0; i < 2; i++) {
            a.orchestrator.to(String.class).run(() -> test.hold(a.name)); // a is the busiest: the work goes elsewhere
        }
        await().atMost(CEILING).until(() -> test.heldCount() == 5);
        await().atMost(CEILING).until(() -> test.members.stream().skip(1).allMatch(other -> {
            MemberLoad seen = a.cluster.loads().seen(other.hazelcast.getCluster().getLocalMember()); // as placed by
            return seen != null && seen.live() == 1 && Integer.valueOf(0).equals(seen.headroom().get("one"));
        }));
        SpawningTask<String> handle = a.orchestrator.to(String.class).group("one").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.members.stream().skip(1).flatMap(m -> m.orchestrator.roots().stream())
                .anyMatch(root -> root.status() == TaskStatus.QUEUED));

        assertThat(handle.status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(handle.info().status()).isEqualTo(TaskStatus.QUEUED);

        holders.forEach(SpawningTask::cancel); // the permits go to the placed work, which holds one in its turn
        await().atMost(CEILING).until(() -> test.heldCount() == 6);
        await().atMost(CEILING).until(() -> handle.status() == TaskStatus.RUNNING); // its body began there
        assertThat(handle.info().status()).isEqualTo(TaskStatus.RUNNING);

        test.release.countDown();
        assertThat(handle.join()).as("ran on another member").isNotEqualTo(a.name);
    }

    private static ClusterTask only(List<ClusterTask> tasks) {
        assertThat(tasks).hasSize(1);
        return tasks.getFirst();
    }
}
