package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RemoteTaskException;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.MemberSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Three real members in this JVM, each with its own orchestrator. No test here stops a member or closes an
 * orchestrator: they share one cluster, and {@link TestCluster#settle()} after each brings it back to the
 * state of a cluster just formed (nothing held or running, every published load idle, fresh latches).
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPlacementTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeAll
    void form() {
        test = TestCluster.start(3);
    }

    @AfterEach
    void settle() {
        test.settle();
    }

    @AfterAll
    void stop() {
        test.close();
    }

    @Test
    void placementSpreadsWorkOverEveryMember() {
        TestCluster.Member a = test.get(0);
        List<SpawningTask<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 9; i++) { // a burst: the choices race, each must see the ones before it
            tasks.add(a.orchestrator.to(String.class).named("hold").anywhere().run("hold", "x"));
        }
        await().atMost(CEILING).until(() -> test.heldCount() == 9);
        test.release.countDown();
        Set<String> ranOn = new HashSet<>();
        for (SpawningTask<String> task : tasks) {
            ranOn.add(task.join());
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        }
        assertThat(ranOn).containsExactlyInAnyOrder(test.get(0).name, test.get(1).name, test.get(2).name);
        assertThat(test.held).containsOnlyKeys(ranOn).allSatisfy((member, count) -> assertThat(count).isEqualTo(3));
    }

    @Test
    void cancellingTheHandleInterruptsTheRemoteBody() {
        TestCluster.Member a = test.get(0);
        SpawningTask<String> busy = a.orchestrator.to(String.class).anywhere().run("hold", "x"); // runs on a: tie goes here
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));
        SpawningTask<String> remote = a.orchestrator.to(String.class).anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        String remoteMember = test.held.keySet().stream().filter(m -> !m.equals(a.name)).findFirst().orElseThrow();

        // the word that the body began there (in the start's answer or a message of its own) may trail the body
        await().atMost(CEILING).until(() -> remote.status() != TaskStatus.QUEUED);
        assertThat(remote.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(remote.cancel()).isTrue();

        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        // The handle ends once its own body has returned (it sends the cancellation, then leaves).
        await().atMost(CEILING).until(() -> remote.status() == TaskStatus.CANCELLED);
        TestCluster.Member ranOn = test.members.stream().filter(m -> m.name.equals(remoteMember)).findFirst().orElseThrow();
        await().atMost(CEILING).until(() -> ranOn.orchestrator.liveCount() == 0);
        assertThat(ranOn.orchestrator.recent()).first().satisfies(info -> {
            assertThat(info.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(info.tags()).containsEntry("placed-from", a.name + "/" + remote.id());
        });
        assertThat(busy.status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void aCancellationAtOnceLeavesNoRemoteBodyRunningWhateverMomentItLandsAt() {
        TestCluster.Member a = test.get(0);
        a.orchestrator.to(String.class).anywhere().run("hold", "x"); // runs on a: the rest goes elsewhere
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));

        // Before the placement, while its start is sent, or before the start's answer is read: each moment
        // takes another path (the last sends the cancellation when the answer comes, nobody waiting for it).
        List<SpawningTask<String>> cancelled = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            SpawningTask<String> remote = a.orchestrator.to(String.class).anywhere().run("hold", "x");
            if (i % 2 == 1) {
                Thread.onSpinWait(); // vary the moment a little; no outcome depends on it
            }
            remote.cancel();
            cancelled.add(remote);
        }
        for (SpawningTask<String> remote : cancelled) {
            await().pollDelay(Duration.ZERO).atMost(CEILING).until(() -> remote.status().isTerminal());
            assertThat(remote.status()).isEqualTo(TaskStatus.CANCELLED);
        }
        // Some went to a itself once every member was as busy (ties go to the placing member): those end too.
        // What stays is a's first task: a handle and the child running its work there.
        await().atMost(CEILING).untilAsserted(() -> assertThat(test.members.stream()
                .map(m -> m.orchestrator.liveCount()).toList())
                .as(() -> test.members.stream().map(m -> m.orchestrator.roots().toString()).toList().toString())
                .containsExactly(2, 0, 0));
    }

    @Test
    void everyMemberSeesEveryMembersTreesAndCancelsWhereverTheTaskRuns() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member c = test.get(2);
        a.orchestrator.to(String.class).anywhere().run("hold", "x"); // runs on a: ties go to the placing member
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("far").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);

        List<MemberSnapshot> view = c.cluster.members();
        assertThat(view).extracting(MemberSnapshot::member)
                .containsExactlyInAnyOrder(test.get(0).name, test.get(1).name, test.get(2).name);
        assertThat(view).filteredOn(MemberSnapshot::local).extracting(MemberSnapshot::member).containsExactly(c.name);
        TaskInfo placed = view.stream().flatMap(member -> member.roots().stream())
                .filter(root -> (a.name + "/" + remote.id()).equals(root.tags().get("placed-from")))
                .findFirst().orElseThrow(() -> new AssertionError("no task placed from " + a.name + "/" + remote.id()
                        + " in " + view));
        assertThat(placed.name()).isEqualTo("far");
        assertThat(placed.status()).isEqualTo(TaskStatus.RUNNING);
        Optional<TaskInfo> handleOnA = view.stream().filter(m -> m.member().equals(a.name))
                .flatMap(m -> m.roots().stream()).filter(root -> root.id().equals(remote.id())).findFirst();
        assertThat(handleOnA).isPresent();

        // Cancelled from c, by the id it has on the member that runs it: the handle on a follows.
        assertThat(c.cluster.cancel(placed.id())).isTrue();
        await().atMost(CEILING).until(() -> remote.status().isTerminal());
        assertThat(remote.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(test.interrupted.getCount()).isZero();
    }

    @Test
    void aRemoteFailureAndAValueComeBackThroughTheHandle() {
        TestCluster.Member a = test.get(0);
        a.orchestrator.to(String.class).anywhere().run("hold", "x"); // a is busy: the rest goes elsewhere
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));

        String where = a.orchestrator.to(String.class).anywhere().await("where", "x");
        assertThat(where).isNotEqualTo(a.name).isIn(test.get(1).name, test.get(2).name);

        TaskResult<String> failed = a.orchestrator.to(String.class).named("failing").anywhere().run("fail", "disk full")
                .result();
        assertThat(failed).isInstanceOfSatisfying(TaskResult.Err.class, err -> {
            assertThat(err.error()).isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("failing").hasMessageContaining("IOException");
            assertThat(err.error().getCause()).isInstanceOfSatisfying(RemoteTaskException.class, remote -> {
                assertThat(remote.remoteType()).isEqualTo("IOException");
                assertThat(remote.member()).isIn(test.get(1).name, test.get(2).name);
                assertThat(remote).hasMessageContaining("disk full");
            });
        });
    }

    /**
     * SPEC 7: the caller's handle reflects the remote task, its metrics too: once it ended, {@code metrics()} are
     * the work's figures there (the same queue wait and run time as the task that ran it), not the handle's own
     * wait; its snapshot ({@code info()}, what this member's meters and store count) keeps the handle's own, so
     * that the work is counted once, where it ran. Before, {@code metrics()} was the handle's wait.
     */
    @Test
    void theHandlesMetricsAreTheRemoteWorksOnceItEnded() {
        TestCluster.Member a = test.get(0);
        SpawningTask<String> local = a.orchestrator.to(String.class).anywhere().run("hold", "x"); // ties go to a
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("far").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        test.release.countDown();
        String ranOn = remote.join();
        local.join();

        TestCluster.Member there = test.members.stream().filter(m -> m.name.equals(ranOn)).findFirst().orElseThrow();
        await().atMost(CEILING).until(() -> there.orchestrator.liveCount() == 0);
        TaskInfo work = there.orchestrator.recent().stream()
                .filter(info -> (a.name + "/" + remote.id()).equals(info.tags().get("placed-from")))
                .findFirst().orElseThrow();
        assertThat(remote.metrics().runTime()).isEqualTo(work.metrics().runTime());
        assertThat(remote.metrics().queueWait()).isEqualTo(work.metrics().queueWait());
        assertThat(remote.metrics().cpuTimeNanos().isPending()).as("no figure waits for events that never come here")
                .isFalse();
        assertThat(remote.info().metrics().runTime()).as("the handle's own, in its snapshot")
                .isNotEqualTo(work.metrics().runTime());

        // Run here, as the handle's child: the same rule, the child's figures.
        TaskInfo child = a.orchestrator.recent().stream().filter(info -> info.id().equals(local.id())).findFirst()
                .orElseThrow().children().getFirst();
        assertThat(local.metrics().runTime()).isEqualTo(child.metrics().runTime());
    }

    @Test
    void anArgumentOrAResultThatCannotTravelFailsTheHandleSayingWhy() {
        TestCluster.Member a = test.get(0);
        a.orchestrator.to(String.class).anywhere().run("hold", "x"); // a is busy: the rest goes elsewhere
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));

        TaskResult<Object> argument = a.orchestrator.to(Object.class).anywhere().run("echo", new Object()).result();
        assertThat(argument).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getCause())
                .isInstanceOfSatisfying(RemoteTaskException.class, remote -> assertThat(remote)
                        .hasMessageContaining("could not be started there").hasMessageContaining("Serializ")
                        .hasMessageContaining("serialized on this member").hasMessageNotContaining("as task null")));
        TaskResult<Object> result = a.orchestrator.to(Object.class).anywhere().run("opaque", "x").result();
        assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getCause())
                .isInstanceOfSatisfying(RemoteTaskException.class, remote -> assertThat(remote)
                        .hasMessageContaining("could not be sent back")));
    }

    @Test
    void aMemberWithoutTheHandlerIsNeverChosen() {
        // A cluster of its own, a member of it without the handler; the shared one stays as it is.
        try (TestCluster test = TestCluster.start(3, (index, builder) -> index == 2 ? builder
                : builder.handler("rare", String.class, any -> "rare on " + index))) {
            TestCluster.Member a = test.get(0);
            TestCluster.Member b = test.get(1);
            SpawningTask<String> busyA = a.orchestrator.to(String.class).run(() -> test.hold(a.name));
            SpawningTask<String> busyB1 = b.orchestrator.to(String.class).run(() -> test.hold(b.name));
            SpawningTask<String> busyB2 = b.orchestrator.to(String.class).run(() -> test.hold(b.name));
            await().atMost(CEILING).until(() -> test.heldCount() == 3);
            // Loads are published every 200 ms: a decision taken before b's reached a saw b idle (a tie, or b
            // chosen: "rare on 1", seen once).
            await().atMost(CEILING).alias("a's placements see b's two tasks").until(() -> {
                MemberLoad ofB = a.cluster.loads().seen(b.hazelcast.getCluster().getLocalMember());
                return ofB != null && ofB.live() == 2;
            });

            // The idle third member has no "rare" handler: the least loaded member that has it is a.
            assertThat(a.orchestrator.to(String.class).anywhere().await("rare", "x")).isEqualTo("rare on 0");
            assertThat(a.orchestrator.to(String.class).anywhere().await("where", "x")).isEqualTo(test.get(2).name);
            assertThat(List.of(busyA, busyB1, busyB2)).allMatch(task -> task.status() == TaskStatus.RUNNING);
        }
    }

    @Test
    void idsAreUniqueAcrossMembersAndAnUnknownHandlerIsRefusedAtOnce() {
        Set<Long> incarnations = new HashSet<>();
        for (TestCluster.Member member : test.members) {
            incarnations.add(member.orchestrator.to(String.class).run(() -> "x").id().incarnation());
        }
        assertThat(incarnations).hasSize(3).doesNotContain(0L);
        assertThatThrownBy(() -> test.get(0).orchestrator.to(String.class).anywhere().run("missing", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> test.get(0).orchestrator.to(String.class).anywhere().run("where", 42))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
    }
}
