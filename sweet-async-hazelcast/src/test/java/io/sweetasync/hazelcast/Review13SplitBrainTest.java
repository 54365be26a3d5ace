package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Split brain with two real members on loopback: the split is made as Hazelcast's own SplitBrainTestSupport's
 * closeConnectionBetween does (each member suspects the other, closing the connection: the master removes the other,
 * the other claims mastership of a cluster of its own); Hazelcast's split-brain handler merges them again after
 * {@code hazelcast.merge.first.run.delay.seconds} (set low here). Prints what it observes (SPLIT: lines); asserts only
 * what README's "Cluster" section documents.
 *
 * <p>After a merge the merged members have new UUIDs: their loads were published under the old ones for ever (never a
 * candidate again: asserted fixed), and a placement between two members of the merging side never ended (its end
 * went to the placer's old UUID: it now ends lost as the placer merges, asserted). Not in the suite's time budget
 * (about 70 s per method, each waits for Hazelcast's merge): run it alone.
 */
@Disabled("about 2.5 minutes (each method waits for Hazelcast's merge): run alone, see the class comment")
@Timeout(180)
class Review13SplitBrainTest {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private static Node node(HazelcastInstance hazelcast) {
        return ((HazelcastInstanceProxy) hazelcast).getOriginal().node;
    }

    private static void split(TestCluster.Member a, TestCluster.Member b) {
        Node na = node(a.hazelcast);
        Node nb = node(b.hazelcast);
        // each as the other sees it (a member's own MemberImpl is local)
        com.hazelcast.cluster.Member bSeenByA = na.getClusterService().getMember(nb.getThisAddress());
        com.hazelcast.cluster.Member aSeenByB = nb.getClusterService().getMember(na.getThisAddress());
        na.getClusterService().suspectMember(bSeenByA, "test split", true);
        nb.getClusterService().suspectMember(aSeenByB, "test split", true);
    }

    private static long nextIncarnation(TestCluster.Member member) {
        return member.hazelcast.<String, Long>getMap(ClusterIds.IDS).executeOnKey("incarnation",
                new NextIncarnation());
    }

    private static Object counter(TestCluster.Member member) {
        return member.hazelcast.getMap(ClusterIds.IDS).get("incarnation");
    }

    @Test
    void splitThenMerge() throws Exception {
        String first = System.getProperty("hazelcast.merge.first.run.delay.seconds");
        String next = System.getProperty("hazelcast.merge.next.run.delay.seconds");
        System.setProperty("hazelcast.merge.first.run.delay.seconds", "25");
        System.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        List<String> events = new CopyOnWriteArrayList<>();
        try (TestCluster test = TestCluster.start(2)) {
            TestCluster.Member a = test.get(0);
            TestCluster.Member b = test.get(1);
            for (TestCluster.Member m : List.of(a, b)) {
                m.hazelcast.getLifecycleService().addLifecycleListener(e -> events.add(m.name + " " + e.getState()));
            }
            UUID aBefore = a.hazelcast.getCluster().getLocalMember().getUuid();
            UUID bBefore = b.hazelcast.getCluster().getLocalMember().getUuid();
            System.out.println("SPLIT: incarnation counter before split " + counter(a) + "; A=" + a.name + " " + aBefore
                    + ", B=" + b.name + " " + bBefore + ", A master=" + node(a.hazelcast).isMaster());

            test.busyFirst(); // A runs one held body: its next anywhere() goes to B
            SpawningTask<String> placed = a.orchestrator.to(String.class).named("across").anywhere().run("hold", "x");
            await().atMost(CEILING).until(() -> test.held.containsKey(b.name));
            assertThat(placed.status()).isEqualTo(TaskStatus.RUNNING);

            long splitAt = System.nanoTime();
            split(a, b);
            await().atMost(CEILING).until(() -> a.hazelcast.getCluster().getMembers().size() == 1
                    && b.hazelcast.getCluster().getMembers().size() == 1);
            System.out.println("SPLIT: split seen by both after " + (System.nanoTime() - splitAt) / 1_000_000 + " ms");

            // (1) documented: the handle whose work runs on the other side ends FAILED with TaskLostException
            assertThatThrownBy(placed::join).isInstanceOf(TaskLostException.class).hasMessageContaining(b.name);
            System.out.println("SPLIT: (1) handle ended " + placed.status() + " " + (System.nanoTime() - splitAt) / 1_000_000
                    + " ms after the split: " + placed.info().failure().message());
            // ... while the work still runs over there
            assertThat(b.orchestrator.liveCount()).isGreaterThan(0);
            System.out.println("SPLIT: B still runs " + b.orchestrator.liveCount() + " task(s) of A's after A's handle ended lost");

            // (2) ids: a member without a store joining each side takes the counter plus one (NextIncarnation)
            Object counterA = counter(a);
            Object counterB = counter(b);
            // (B, the higher address, is the side that merges into A's: two joins there, one on A's side)
            long a1 = nextIncarnation(a);
            long b1 = nextIncarnation(b);
            long b2 = nextIncarnation(b);
            System.out.println("SPLIT: (2) counters while split A side=" + counterA + " B side=" + counterB
                    + "; new member on A side would take " + a1 + ", on B side " + b1 + " then " + b2);

            // each side places only on its own members
            test.release.countDown(); // both held bodies may end now (B's reply goes nowhere: A is not a member)
            await().atMost(CEILING).until(() -> b.orchestrator.liveCount() == 0 && a.orchestrator.liveCount() == 0);
            System.out.println("SPLIT: B's copy of the lost task completed on B while A's handle says "
                    + placed.status() + "; anywhere() from A now runs on "
                    + a.orchestrator.to(String.class).anywhere().await("where", "x"));

            // merge: Hazelcast's split-brain handler (first run 25 s after start, then every 5 s)
            long mergeWaitFrom = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).until(() -> a.hazelcast.getLifecycleService().isRunning()
                    && b.hazelcast.getLifecycleService().isRunning()
                    && a.hazelcast.getCluster().getMembers().size() == 2 && b.hazelcast.getCluster().getMembers().size() == 2);
            System.out.println("SPLIT: merged after " + (System.nanoTime() - mergeWaitFrom) / 1_000_000 + " ms; lifecycle "
                    + events);
            UUID aAfter = a.hazelcast.getCluster().getLocalMember().getUuid();
            UUID bAfter = b.hazelcast.getCluster().getLocalMember().getUuid();
            System.out.println("SPLIT: (4) uuids after merge A " + (aAfter.equals(aBefore) ? "same" : "CHANGED")
                    + ", B " + (bAfter.equals(bBefore) ? "same" : "CHANGED") + "; names A=" + a.cluster.memberName()
                    + " B=" + b.cluster.memberName());
            Object merged = counter(a);
            long after = nextIncarnation(a);
            System.out.println("SPLIT: (2) counter after merge " + merged + "; next member would take " + after
                    + (after <= Math.max(a1, b2) ? " = a number already handed out during the split (REPEAT)" : ""));
            assertThat(placed.status()).isEqualTo(TaskStatus.FAILED);

            // (4) after the merge: can each member place on the other again, and does the view show both?
            List<String> seen = new ArrayList<>();
            for (TestCluster.Member from : List.of(a, b)) {
                TestCluster.Member to = from == a ? b : a;
                boolean candidate;
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> from.cluster.loads()
                            .isCandidate(to.hazelcast.getCluster().getLocalMember()));
                    candidate = true;
                }
                catch (org.awaitility.core.ConditionTimeoutException ex) {
                    candidate = false;
                }
                seen.add(from.name + " sees " + to.name + " as candidate: " + candidate + "; view members "
                        + from.cluster.members().stream().map(s -> s.member()).toList());
            }
            System.out.println("SPLIT: (4) " + seen);
            // fixed: a merged member publishes its load under its new uuid (before, under the old one for ever, so it
            // was never a candidate, nor in views or cancels, again)
            assertThat(seen).allMatch(line -> line.contains("as candidate: true"));
            System.out.println("SPLIT: (4) loads map keys " + a.hazelcast.getReplicatedMap(MemberLoads.MAP).keySet()
                    + "; B's load under its new uuid: " + a.cluster.loads().of(b.hazelcast.getCluster().getLocalMember())
                    + "; under its old uuid: " + a.hazelcast.getReplicatedMap(MemberLoads.MAP).get(bBefore));
            // A placement across after the merge: A busy, so its anywhere() goes to B if B is a candidate
            test.release = new java.util.concurrent.CountDownLatch(1);
            a.orchestrator.to(String.class).anywhere().run("hold", "y");
            await().atMost(CEILING).until(() -> test.held.getOrDefault(a.name, 0) >= 2);
            SpawningTask<String> across = a.orchestrator.to(String.class).anywhere().run("where", "z");
            String ranOn = across.get(30, java.util.concurrent.TimeUnit.SECONDS);
            System.out.println("SPLIT: (4) anywhere() from busy A after merge ran on " + ranOn);
            test.release.countDown();
        }
        finally {
            restore("hazelcast.merge.first.run.delay.seconds", first);
            restore("hazelcast.merge.next.run.delay.seconds", next);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        }
        else {
            System.setProperty(key, value);
        }
    }

    /**
     * Four members split two and two; the side that merges ({C, D}: equal sizes, the other master's address wins) had a
     * placement from C onto D running across the merge. Both get new uuids when they merge.
     */
    @Test
    void aPlacementWithinTheMergingSide() throws Exception {
        String first = System.getProperty("hazelcast.merge.first.run.delay.seconds");
        String next = System.getProperty("hazelcast.merge.next.run.delay.seconds");
        System.setProperty("hazelcast.merge.first.run.delay.seconds", "30");
        System.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        try (TestCluster test = TestCluster.start(4)) {
            List<TestCluster.Member> left = List.of(test.get(0), test.get(1));
            List<TestCluster.Member> right = List.of(test.get(2), test.get(3));
            // every pair's members as each side sees them, looked up before the first suspicion removes any
            // the right side first suspects both left members (C, next after them, claims mastership of {C, D}),
            // then the left side both right ones: done pair by pair, C and D each ended alone
            List<Runnable> rightSuspects = new ArrayList<>();
            List<Runnable> leftSuspects = new ArrayList<>();
            for (TestCluster.Member l : left) {
                for (TestCluster.Member r : right) {
                    Node nl = node(l.hazelcast);
                    Node nr = node(r.hazelcast);
                    com.hazelcast.cluster.Member rSeen = nl.getClusterService().getMember(nr.getThisAddress());
                    com.hazelcast.cluster.Member lSeen = nr.getClusterService().getMember(nl.getThisAddress());
                    leftSuspects.add(() -> nl.getClusterService().suspectMember(rSeen, "test split", true));
                    rightSuspects.add(() -> nr.getClusterService().suspectMember(lSeen, "test split", false));
                }
            }
            rightSuspects.forEach(Runnable::run);
            await().atMost(CEILING).until(() -> right.stream()
                    .allMatch(m -> m.hazelcast.getCluster().getMembers().size() == 2));
            leftSuspects.forEach(Runnable::run);
            await().atMost(CEILING).until(() -> test.members.stream()
                    .allMatch(m -> m.hazelcast.getCluster().getMembers().size() == 2));
            System.out.println("SPLIT4: split two and two; masters " + test.members.stream()
                    .filter(m -> node(m.hazelcast).isMaster()).map(m -> m.name).toList());
            TestCluster.Member c = test.get(2);
            TestCluster.Member d = test.get(3);
            c.orchestrator.to(String.class).anywhere().run("hold", "c");
            await().atMost(CEILING).until(() -> test.held.containsKey(c.name));
            // wait until C's view shows its own load so that the next placement goes to D
            await().atMost(CEILING).until(() -> {
                MemberLoad own = c.cluster.loads().seen(c.hazelcast.getCluster().getLocalMember());
                return own != null && own.live() >= 1;
            });
            SpawningTask<String> cToD = c.orchestrator.to(String.class).named("c-to-d").anywhere().run("hold", "d");
            await().atMost(CEILING).until(() -> test.held.containsKey(d.name));
            System.out.println("SPLIT4: C placed c-to-d on D: " + cToD.status());

            long from = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).until(() -> test.members.stream()
                    .allMatch(m -> m.hazelcast.getLifecycleService().isRunning()
                            && m.hazelcast.getCluster().getMembers().size() == 4));
            System.out.println("SPLIT4: merged after " + (System.nanoTime() - from) / 1_000_000 + " ms; c-to-d is "
                    + cToD.status());
            test.release.countDown(); // D's body ends; its end is sent to C by C's old uuid
            await().atMost(CEILING).until(() -> d.orchestrator.liveCount() == 0);
            // fixed: C's handle ended lost as C merged (its end, sent to C's old uuid, could not arrive); it waited for
            // ever before
            await().atMost(CEILING).until(cToD::isDone);
            assertThatThrownBy(cToD::join).isInstanceOf(TaskLostException.class).hasMessageContaining("merged");
            System.out.println("SPLIT4: c-to-d ended " + cToD.status() + ": " + cToD.info().failure().message());
        }
        finally {
            restore("hazelcast.merge.first.run.delay.seconds", first);
            restore("hazelcast.merge.next.run.delay.seconds", next);
        }
    }
}
