package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimitPhase;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The published loads between two real members, with hosts that can hold their member's publisher. */
@Timeout(120)
class MemberLoadsTest {

    private static final Duration INTERVAL = Duration.ofMillis(50);

    private HazelcastInstance a;
    private HazelcastInstance b;
    private MemberLoads loadsA;
    private MemberLoads loadsB;
    private final Host hostB = new Host();

    @AfterEach
    void stop() {
        hostB.release.countDown();
        for (MemberLoads loads : new MemberLoads[] { loadsA, loadsB }) {
            if (loads != null) {
                loads.stop();
            }
        }
        for (HazelcastInstance member : new HazelcastInstance[] { a, b }) {
            if (member != null) {
                member.getLifecycleService().terminate();
            }
        }
    }

    /** Members {@link #a} and {@link #b} of a new cluster, with their loads not started. */
    private void formPair() {
        String name = "loads-test-" + UUID.randomUUID();
        int base = TestCluster.freeBlock(2);
        a = Hazelcast.newHazelcastInstance(TestCluster.config(name, base, 2, 0));
        b = Hazelcast.newHazelcastInstance(TestCluster.config(name, base, 2, 1));
        loadsA = new MemberLoads(a, INTERVAL, UUID.randomUUID());
        loadsB = new MemberLoads(b, INTERVAL, UUID.randomUUID());
    }

    /**
     * A publisher late by sixty intervals (a loaded machine, a paused JVM) used to drop its member out of
     * every other member's candidates after twenty: an idle member then got no placed work until it caught up.
     */
    @Test
    void aMemberWhosePublisherIsLateStaysACandidate() throws InterruptedException {
        formPair();
        Host hostA = new Host();
        hostA.live = 1;
        loadsA.start(hostA);
        loadsB.start(hostB);
        Member memberB = b.getCluster().getLocalMember();
        await().atMost(Duration.ofSeconds(60)).until(() -> loadsA.isCandidate(memberB));

        hostB.stall = true;
        assertThat(hostB.stalled.await(30, TimeUnit.SECONDS)).as("B's publisher reached the stall").isTrue();
        long end = System.nanoTime() + INTERVAL.multipliedBy(60).toNanos();
        while (System.nanoTime() < end) {
            assertThat(loadsA.isCandidate(memberB)).as("B, late but a member, is still a candidate").isTrue();
            assertThat(loadsA.choose("work", null, hostA, member -> 0)).as("idle B is chosen over A with 1 task")
                    .isEqualTo(memberB);
            Thread.sleep(20);
        }
        hostB.release.countDown();
    }

    /**
     * A member scores itself by its own headroom in the task's group. It read it from its own last publication, as its
     * view held it; but its view may not hold it yet (a put reaches the key's partition owner first, and comes back
     * later), and then a member with a zero share of a cluster-wide group counted as one without a limit: it won ties
     * and kept work it cannot admit. Here A's first publication never happens (its publisher is held), so A's view
     * never holds A: A, with no share of "pair", must choose B, which has room.
     */
    @Test
    void aMemberWhoseOwnPublicationItsViewLacksScoresItselfByItsLimiterAsItIs() {
        formPair();
        Host hostA = new Host();
        hostA.limiters = List.of(pair(0));
        hostA.stall = true; // its publisher holds before its first put
        hostB.limiters = List.of(pair(1));
        loadsA.start(hostA);
        loadsB.start(hostB);
        Member memberA = a.getCluster().getLocalMember();
        Member memberB = b.getCluster().getLocalMember();
        await().atMost(Duration.ofSeconds(60)).until(() -> loadsA.isCandidate(memberB));
        assertThat(loadsA.isCandidate(memberA)).as("A never published: its view lacks it").isFalse();

        assertThat(loadsA.choose("work", "pair", hostA, member -> 0)).as("A, with no share of pair, chooses B")
                .isEqualTo(memberB);
        assertThat(loadsA.choose("work", null, hostA, member -> 0)).as("without a group, a tie stays here")
                .isEqualTo(memberA);
    }

    /**
     * The entry event of a member's publication may arrive before this member's replica holds it (a put reaches the
     * key's partition owner, which fires the events and replicates later). A reconcile in between dropped the member
     * from the view, and it was no candidate until its next publication, a whole interval. Now a member the replica
     * lacks is dropped only when the reconcile before found it missing too (an event really missed).
     */
    @Test
    void aPublicationSeenBeforeTheReplicaHasItSurvivesOneReconcile() {
        formPair(); // neither publishes: A's replica holds no load of B until this test puts one
        MemberLoads loads = loadsA;
        loadsA = null; // never started: nothing to stop
        loadsB = null;
        Member memberB = b.getCluster().getLocalMember();
        MemberLoad load = new MemberLoad("b", 0, Map.of(), Map.of(), Set.of("work"), 0);

        loads.published(memberB.getUuid(), load); // the event, ahead of the replica
        loads.reconcile();
        assertThat(loads.isCandidate(memberB)).as("B's publication, not yet in A's replica, is kept once").isTrue();
        a.getReplicatedMap(MemberLoads.MAP).put(memberB.getUuid(), load); // the replica catches up
        await().atMost(Duration.ofSeconds(60)).until(() -> a.getReplicatedMap(MemberLoads.MAP)
                .containsKey(memberB.getUuid()));
        loads.reconcile();
        loads.reconcile();
        assertThat(loads.isCandidate(memberB)).as("B, in the replica now, stays").isTrue();

        a.getReplicatedMap(MemberLoads.MAP).remove(memberB.getUuid()); // a removal whose event A misses
        await().atMost(Duration.ofSeconds(60)).until(() -> !a.getReplicatedMap(MemberLoads.MAP)
                .containsKey(memberB.getUuid()));
        loads.published(memberB.getUuid(), load);
        loads.reconcile();
        assertThat(loads.isCandidate(memberB)).as("missing once: kept").isTrue();
        loads.reconcile();
        assertThat(loads.isCandidate(memberB)).as("missing at two reconciles in a row: dropped").isFalse();
    }

    private static LimiterSnapshot pair(int limit) {
        return new LimiterSnapshot("pair", LimitAlgorithm.FIXED, limit, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, 0, Duration.ZERO, LimitPhase.FIXED, Duration.ZERO, 0, 2, 2);
    }

    /** A host with one handler, {@link #live} tasks, and a publisher that can be held in {@link #liveTasks()}. */
    private static final class Host implements ClusterHost {
        volatile boolean stall;
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile int live;
        volatile List<LimiterSnapshot> limiters = List.of();

        @Override
        public int liveTasks() {
            if (stall && Thread.currentThread().getName().startsWith("sweet-async-cluster-load-")) { // the publisher
                stalled.countDown();
                try {
                    release.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            return live;
        }

        @Override
        public Set<String> handlers() {
            return Set.of("work");
        }

        @Override
        public List<TaskInfo> roots() {
            return List.of();
        }

        @Override
        public List<LimiterSnapshot> limiters() {
            return limiters;
        }

        @Override
        public boolean cancel(TaskId id) {
            return false;
        }

        @Override
        public void membersChanged(int position, int members) {
        }

        @Override
        public TaskId start(RemoteInvocation invocation, Consumer<RemoteOutcome> onEnd) {
            throw new UnsupportedOperationException("no tasks in this test");
        }

        @Override
        public long durableOwner() {
            return 0;
        }

        @Override
        public void startDurable(TaskId id, Consumer<RemoteOutcome> onEnd) {
            throw new UnsupportedOperationException("no tasks in this test");
        }

        @Override
        public void durableEnded(TaskId id, RemoteOutcome outcome) {
        }

        @Override
        public void memberLeft(String member) {
        }
    }
}
