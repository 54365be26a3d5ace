package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.MemberSnapshot;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile inputs and interleavings against the cluster's promises (SPEC section 7, README "Cluster"): every
 * handle gets a status, no caller waits forever, cancellation and timeouts reach the remote body.
 *
 * <p>Each test first makes member 0 busy with one held task, so that (ties going to the placing member) its
 * next placements go to another member.
 *
 * <p>The tests here stop or kill a member, or close or replace an orchestrator: each gets a cluster of its
 * own. Those that do neither share one cluster, settled between tests, in {@link ClusterHostileSharedClusterTest}.
 */
@Timeout(150)
class ClusterHostileTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    /** A value that serializes, but whose deserialization always fails (e.g. a class another member lacks). */
    static final class Poison implements Serializable {

        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) throws IOException {
            throw new InvalidObjectException("poison: this value cannot be read");
        }
    }

    /** An exception that refuses to say what it is, and cannot be serialized either. */
    static final class HostileException extends RuntimeException {

        @Serial
        private static final long serialVersionUID = 1L;

        @SuppressWarnings("unused")
        private final transient Object notSerializable = new Object();
        private final Object alsoNotSerializable = new Object();

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage() is hostile");
        }
    }

    /** Calls of "flaky" by key; tests use keys of their own. */
    static final ConcurrentHashMap<String, AtomicInteger> FLAKY = new ConcurrentHashMap<>();
    private static volatile CountDownLatch STUBBORN_STARTED = new CountDownLatch(1);
    private static volatile CountDownLatch STUBBORN_INTERRUPTED = new CountDownLatch(1);
    private static volatile CountDownLatch STUBBORN_GATE = new CountDownLatch(1);

    private TestCluster test;

    /** The hostile handlers every member has, besides those of {@link TestCluster}; shared with the other class. */
    static TaskOrchestrator.Builder handlers(int index, TaskOrchestrator.Builder builder) {
        return builder
                .handler("poison-later", String.class, any -> {
                    Thread.sleep(300); // past the inline window: the value travels in a message of its own
                    return new Poison();
                })
                .handler("poison-now", String.class, any -> new Poison())
                .handler("hostile-now", String.class, any -> {
                    throw new HostileException();
                })
                .handler("hostile-later", String.class, any -> {
                    Thread.sleep(300);
                    throw new HostileException();
                })
                .handler("null-later", String.class, any -> {
                    Thread.sleep(300);
                    return null;
                })
                .handler("null-now", Object.class, any -> any)
                .handler("opaque-later", String.class, any -> {
                    Thread.sleep(300);
                    return new Object();
                })
                .handler("stubborn", String.class, any -> {
                    STUBBORN_STARTED.countDown();
                    while (true) { // ignores interrupts: a cancellation leaves it running until the gate opens
                        try {
                            STUBBORN_GATE.await();
                            return "old";
                        }
                        catch (InterruptedException ex) {
                            STUBBORN_INTERRUPTED.countDown();
                        }
                    }
                })
                .handler("error-now", String.class, any -> {
                    throw new AssertionError("an Error, not an Exception");
                })
                .handler("error-later", String.class, any -> {
                    Thread.sleep(300);
                    throw new StackOverflowError("deep");
                })
                .handler("flaky", String.class, key -> {
                    if (FLAKY.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() == 1) {
                        throw new IOException("first call of " + key + " fails");
                    }
                    return "ok";
                });
    }

    @BeforeEach
    void form() {
        test = TestCluster.start(3, ClusterHostileTest::handlers);
    }

    @AfterEach
    void stop() {
        STUBBORN_GATE.countDown();
        test.close();
    }


    /** Looks at once, then every 100 ms: a handle already ended costs no poll delay (tests await dozens). */
    static void awaitTerminal(SpawningTask<?> task) {
        await().pollDelay(Duration.ZERO).atMost(CEILING).until(() -> task.status().isTerminal());
    }

    private TestCluster.Member memberNamed(String name) {
        return test.members.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    // ---- broken promises --------------------------------------------------------------------------------

    /**
     * The placing member's own Hazelcast instance stops (Spring closing the HazelcastInstance bean before the
     * orchestrator, an OOM kill of Hazelcast's threads, {@code terminate()}) while a handle waits for a remote
     * outcome that can now never arrive: no membership event fires for the local member, so unless the
     * cluster notices its own end, the handle waits forever.
     */
    @Test
    void aHandleWaitingForAnotherMemberEndsWhenThisMembersOwnHazelcastStops() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("orphaned").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        // the word that the body began there (in the start's answer or a message of its own) may trail the body
        await().atMost(CEILING).until(() -> remote.status() != TaskStatus.QUEUED);
        assertThat(remote.status()).isEqualTo(TaskStatus.RUNNING);

        a.hazelcast.getLifecycleService().terminate();

        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class,
                err -> assertThat(err.error()).isInstanceOf(TaskLostException.class).hasMessageContaining("orphaned"));
        // A placement made after that runs here, the one member this one can reach (it failed with Hazelcast's
        // HazelcastInstanceNotActiveException), and ends as its work does.
        SpawningTask<String> after = a.orchestrator.to(String.class).anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.held.getOrDefault(a.name, 0) == 2); // a's busy task, and this
        test.release.countDown();
        awaitTerminal(after);
        assertThat(after.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(after.join()).isEqualTo(a.name);
    }

    /**
     * The member running placed work shuts its orchestrator down (a rolling restart: the application stops,
     * its orchestrator first): the work there is cancelled by that shutdown, not by anyone who asked, and it
     * did not finish because the process that ran it stopped: the handle must end lost naming that member
     * (as a member leaving does, and as a placed durable task's outcome already says), not {@code CANCELLED}
     * as though its caller had cancelled it.
     */
    @Test
    void workCutShortByItsMembersShutdownEndsTheHandleLostNotCancelled() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("stranded").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        TestCluster.Member ranOn = memberNamed(test.held.keySet().stream().filter(m -> !m.equals(a.name))
                .findFirst().orElseThrow());

        ranOn.orchestrator.close();

        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                .isInstanceOf(TaskLostException.class).hasMessageContaining("stranded").hasMessageContaining(ranOn.name));
    }

    /**
     * A member draining ({@code shutdown(grace)}: it admits no new root task) still published its handlers,
     * and as it drains it looks the least loaded member: every placement went there and was rejected, while
     * the other members had room. A member that admits nothing must be passed over, as one still starting is.
     */
    @Test
    void aDrainingMemberIsPassedOverInsteadOfRejectingEveryPlacement() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        TestCluster.Member c = test.get(2);
        for (TestCluster.Member busy : List.of(a, a, c, c, b)) {
            busy.orchestrator.to(String.class).run(() -> test.hold(busy.name));
        }
        await().atMost(CEILING).until(() -> test.heldCount() == 5);
        Thread drain = Thread.ofPlatform().daemon().start(() -> b.orchestrator.shutdown(Duration.ofMinutes(5)));
        await().atMost(CEILING).until(() -> !b.orchestrator.isAccepting());

        // Eventually (once b's load says so) placements succeed elsewhere, and from then on every one does.
        await().atMost(CEILING).until(() -> a.orchestrator.to(String.class).anywhere().run("where", "x").result().isOk());
        for (int i = 0; i < 10; i++) {
            TaskResult<String> placed = a.orchestrator.to(String.class).anywhere().run("where", "x").result();
            assertThat(placed).as("placement %d after the drain began", i).isInstanceOfSatisfying(TaskResult.Ok.class,
                    ok -> assertThat(ok.value()).isNotEqualTo(b.name));
        }
        test.release.countDown();
        await().atMost(CEILING).until(() -> !drain.isAlive());
    }

    /**
     * The orchestrator on a member is replaced (closed, and a new one built on the same Hazelcast instance, as a
     * Spring context refresh does) while work it placed still runs elsewhere (a body that ignores the
     * cancellation). The new cluster numbers its placements from 1 again, and the old work's end, addressed to
     * the same member and the same number, completed the new handle with the old task's outcome.
     */
    @Test
    void theEndOfWorkPlacedByAnEarlierOrchestratorOnTheSameMemberDoesNotEndANewHandle() {
        STUBBORN_STARTED = new CountDownLatch(1);
        STUBBORN_INTERRUPTED = new CountDownLatch(1);
        STUBBORN_GATE = new CountDownLatch(1);
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> old = a.orchestrator.to(String.class).named("old").anywhere().run("stubborn", "x");
        await().atMost(CEILING).until(() -> STUBBORN_STARTED.getCount() == 0);
        TestCluster.Member oldRanOn = test.members.stream().filter(m -> m != a && m.orchestrator.liveCount() == 1)
                .findFirst().orElseThrow();

        a.orchestrator.close(); // cancels the handle: the cancellation reaches the body there, which ignores it
        await().atMost(CEILING).until(() -> STUBBORN_INTERRUPTED.getCount() == 0);
        assertThat(old.status().isTerminal()).isTrue();

        HazelcastTaskCluster cluster = new HazelcastTaskCluster(a.hazelcast, Duration.ofMillis(50));
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("hold", String.class, any -> test.hold(cluster.memberName())).build();
        TestCluster.Member renewed = new TestCluster.Member(a.hazelcast, cluster, orchestrator);
        test.members.set(0, renewed);
        TestCluster.Member other = test.members.stream().filter(m -> m != renewed && m != oldRanOn).findFirst()
                .orElseThrow();
        await().atMost(CEILING).until(() -> cluster.loads().isCandidate(other.hazelcast.getCluster().getLocalMember()));
        int heldBefore = test.heldCount();
        orchestrator.to(String.class).run(() -> test.hold(renewed.name)); // busy here: the placement goes to other
        await().atMost(CEILING).until(() -> test.heldCount() == heldBefore + 1);
        SpawningTask<String> fresh = orchestrator.to(String.class).named("fresh").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == heldBefore + 2);

        STUBBORN_GATE.countDown(); // the old work ends now, there, and reports its end to this member
        await().atMost(CEILING).until(() -> oldRanOn.orchestrator.roots().stream().noneMatch(r -> r.name().equals("old")));
        await("the new handle runs on while its work there is held").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> !fresh.status().isTerminal());

        test.release.countDown();
        assertThat(fresh.join()).isNotEqualTo("old").isNotEqualTo(renewed.name);
        assertThat(fresh.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    /**
     * After an orchestrator is replaced on the same Hazelcast member, work its predecessor placed (still running
     * elsewhere: a body that ignores its cancellation) was published by its member as placed by this member's
     * uuid, so the new orchestrator subtracted it as its own placement though it did not count it as
     * outstanding: that member looked idle, and got the next placement while another was really idle. Loads
     * now count placements by the placing cluster's own id, new for every orchestrator.
     */
    @Test
    void workPlacedByAnEarlierOrchestratorStillCountsAsLoadOfItsMember() {
        STUBBORN_STARTED = new CountDownLatch(1);
        STUBBORN_INTERRUPTED = new CountDownLatch(1);
        STUBBORN_GATE = new CountDownLatch(1);
        TestCluster.Member a = test.busyFirst();
        a.orchestrator.to(String.class).named("old").anywhere().run("stubborn", "x");
        await().atMost(CEILING).until(() -> STUBBORN_STARTED.getCount() == 0);
        TestCluster.Member oldRanOn = test.members.stream().filter(m -> m != a && m.orchestrator.liveCount() == 1)
                .findFirst().orElseThrow();
        a.orchestrator.close();
        await().atMost(CEILING).until(() -> STUBBORN_INTERRUPTED.getCount() == 0);

        HazelcastTaskCluster cluster = new HazelcastTaskCluster(a.hazelcast, Duration.ofMillis(50));
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("where", String.class, any -> cluster.memberName()).build();
        TestCluster.Member renewed = new TestCluster.Member(a.hazelcast, cluster, orchestrator);
        test.members.set(0, renewed);
        TestCluster.Member idle = test.members.stream().filter(m -> m != renewed && m != oldRanOn).findFirst()
                .orElseThrow();
        await().atMost(CEILING).until(() -> cluster.loads().isCandidate(idle.hazelcast.getCluster().getLocalMember())
                && cluster.loads().isCandidate(oldRanOn.hazelcast.getCluster().getLocalMember()));
        // The new view starts from this member's replica of the loads, which may be older than the old body's start
        // there (a loaded machine: a CI run read it idle and tied): wait until it shows that body, as published.
        await().atMost(CEILING).until(() -> {
            MemberLoad seen = cluster.loads().seen(oldRanOn.hazelcast.getCluster().getLocalMember()); // as placed by
            return seen != null && seen.live() >= 1;
        });
        orchestrator.to(String.class).run(() -> test.hold(renewed.name)); // busy here: the placement goes elsewhere
        await().atMost(CEILING).until(() -> test.held.getOrDefault(renewed.name, 0) == 2);
        assertThat(oldRanOn.orchestrator.liveCount()).isEqualTo(1); // the old body still runs there

        assertThat(orchestrator.to(String.class).anywhere().await("where", "x")).isEqualTo(idle.name);
    }

    // ---- promises that held -----------------------------------------------------------------------------

    @Test
    void theViewAndCancelByIdKeepAnsweringWhileAMemberLeaves() throws Exception {
        TestCluster.Member a = test.busyFirst();
        TestCluster.Member victim = test.get(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread viewer = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) {
                    List<MemberSnapshot> view = a.cluster.members();
                    assertThat(view).isNotEmpty();
                    a.cluster.cancel(TaskId.of(999_999, 1));
                }
            }
            catch (Throwable ex) {
                thrown.set(ex);
            }
        });
        victim.hazelcast.getLifecycleService().terminate();
        test.left(victim);
        stop.set(true);
        viewer.join(CEILING.toMillis());
        assertThat(viewer.isAlive()).isFalse();
        assertThat(thrown.get()).isNull();
        assertThat(a.cluster.members()).extracting(MemberSnapshot::member)
                .containsExactlyInAnyOrder(a.name, test.get(1).name);
    }

    @Test
    void aHandleWhoseMemberIsTerminatedWhileItsCancellationIsUnderWayStillEnds() {
        TestCluster.Member a = test.busyFirst();
        TestCluster.Member b = test.get(1);
        // Placements both ways: b places on a and c, a on b and c.
        b.orchestrator.to(String.class).run(() -> test.hold(b.name));
        List<SpawningTask<String>> handles = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            handles.add(a.orchestrator.to(String.class).anywhere().run("hold", "x"));
            handles.add(b.orchestrator.to(String.class).anywhere().run("hold", "x"));
        }
        await().atMost(CEILING).until(() -> test.heldCount() == 10);
        for (SpawningTask<String> handle : handles) {
            handle.cancel();
        }
        test.get(2).hazelcast.getLifecycleService().terminate();
        for (SpawningTask<String> handle : handles) {
            awaitTerminal(handle);
            assertThat(handle.status()).isIn(TaskStatus.CANCELLED, TaskStatus.FAILED);
        }
    }

    /** Limits of a cluster-wide group add up to its limit after the oldest member leaves and another joins. */
    @Test
    void clusterWideSharesAddUpAfterTheOldestMemberLeavesAndAnotherJoins() {
        test.close();
        LimiterConfig seven = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(7, 1, 7)
                .withClusterWide(true);
        test = TestCluster.start(3, (index, builder) -> builder.group("seven", seven));
        await().atMost(CEILING).until(() -> sharesOf("seven") == 7);
        TestCluster.Member oldest = test.get(0);
        oldest.hazelcast.getLifecycleService().terminate();
        test.left(oldest);
        await().atMost(CEILING).until(() -> sharesOf("seven") == 7);
        assertThat(test.members).allSatisfy(m -> assertThat(m.orchestrator.limiter("seven").limit()).isIn(3, 4));
        test.join();
        await().atMost(CEILING).until(() -> sharesOf("seven") == 7);
        assertThat(test.members).allSatisfy(m -> assertThat(m.orchestrator.limiter("seven").limit()).isIn(2, 3));
    }

    private int sharesOf(String group) {
        return test.members.stream().mapToInt(m -> m.orchestrator.limiter(group).limit()).sum();
    }

    @Test
    void closingThePlacingOrchestratorEndsItsHandlesAndCancelsTheirWorkThere() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> remote = a.orchestrator.to(String.class).anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        TestCluster.Member ranOn = memberNamed(test.held.keySet().stream().filter(m -> !m.equals(a.name))
                .findFirst().orElseThrow());

        a.orchestrator.close();

        awaitTerminal(remote);
        assertThat(remote.status()).isIn(TaskStatus.CANCELLED, TaskStatus.FAILED);
        await().atMost(CEILING).until(() -> ranOn.orchestrator.liveCount() == 0);
    }
}
