package io.sweetasync.hazelcast;

import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskOrchestrator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/**
 * Real Hazelcast members in this JVM, on 127.0.0.1 only: TCP-IP join with the members listed one by one,
 * multicast and auto-detection off, a random cluster name, ports from a free block. Each member has its
 * own orchestrator; {@link #close()} ends them all.
 */
final class TestCluster implements AutoCloseable {

    /** Handlers shared by every member, told which member they run on. */
    static final class Member {
        final HazelcastInstance hazelcast;
        final HazelcastTaskCluster cluster;
        final TaskOrchestrator orchestrator;
        final String name;

        Member(HazelcastInstance hazelcast, HazelcastTaskCluster cluster, TaskOrchestrator orchestrator) {
            this.hazelcast = hazelcast;
            this.cluster = cluster;
            this.orchestrator = orchestrator;
            this.name = cluster.memberName();
        }
    }

    /** Bodies blocked in {@code hold}, by member name; released by {@link #release}. */
    final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();
    /** Fresh ones after {@link #settle()}. */
    volatile CountDownLatch release = new CountDownLatch(1);
    volatile CountDownLatch interrupted = new CountDownLatch(1);
    final List<Member> members = new ArrayList<>();
    private String clusterName;
    private int base;
    private BiFunction<Integer, TaskOrchestrator.Builder, TaskOrchestrator.Builder> more;
    /** Members started so far, those that left included: the next one's index (its name and port). */
    private int started;

    static TestCluster start(int size) {
        return start(size, (index, builder) -> builder);
    }

    /** With more configuration per member, by its index. */
    static TestCluster start(int size, BiFunction<Integer, TaskOrchestrator.Builder, TaskOrchestrator.Builder> more) {
        TestCluster test = new TestCluster();
        test.clusterName = "sweet-test-" + UUID.randomUUID();
        test.base = freeBlock(size + 4); // and join()'s next ports
        test.more = more;
        try {
            for (int i = 0; i < size; i++) {
                test.addMember(size);
            }
            test.awaitFormed();
            return test;
        }
        catch (RuntimeException | Error ex) {
            test.close();
            throw ex;
        }
    }

    /**
     * One more member, configured like the others, on the next port; returns once every member sees it
     * with its orchestrator.
     */
    Member join() {
        Member joined = addMember(started + 1);
        awaitFormed();
        return joined;
    }

    /** Closes the orchestrator of a member that was terminated, and waits until the others no longer see it. */
    void left(Member gone) {
        members.remove(gone);
        gone.orchestrator.close();
        awaitFormed();
    }

    private Member addMember(int listed) {
        int index = started++;
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config(clusterName, base, listed, index));
        HazelcastTaskCluster cluster = new HazelcastTaskCluster(hazelcast, Duration.ofMillis(50));
        String member = cluster.memberName();
        TaskOrchestrator orchestrator = more.apply(index, TaskOrchestrator.builder().cluster(cluster)
                .handler("where", String.class, any -> member)
                .handler("hold", String.class, any -> hold(member))
                .handler("echo", Object.class, any -> any)
                .handler("opaque", String.class, any -> new Object())
                .handler("fail", String.class, message -> {
                    throw new IOException(message);
                })).build();
        Member added = new Member(hazelcast, cluster, orchestrator);
        members.add(added);
        return added;
    }

    private void awaitFormed() {
        int size = members.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> members.stream()
                .allMatch(m -> m.hazelcast.getCluster().getMembers().size() == size
                        && members.stream().allMatch(o -> {
                            // placements read the view, tests and durable placements the replica: a put reaches
                            // the key's partition owner first, the others' views and replicas each in their own time
                            com.hazelcast.cluster.Member local = o.hazelcast.getCluster().getLocalMember();
                            return loadsOf(m).isCandidate(local) && loadsOf(m).of(local) != null;
                        })));
    }

    /**
     * Back to the state of a cluster just formed, for tests that share one: releases every held body, waits
     * until no member runs anything (no handle, no placed task) and every member sees every member publish
     * a load of nothing (so that placement ties go to the placing member again), then forgets the bodies
     * held so far and arms fresh {@link #release} and {@link #interrupted} latches.
     */
    void settle() {
        release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(m -> m.orchestrator.liveCount() == 0
                && members.stream().map(o -> o.hazelcast.getCluster().getLocalMember()) // replica and view both
                        .allMatch(o -> idle(loadsOf(m).of(o)) && idle(loadsOf(m).seen(o)))));
        held.clear();
        release = new CountDownLatch(1);
        interrupted = new CountDownLatch(1);
    }

    /**
     * The load {@code member} published, as its own replica holds it, once it holds one. A member's put goes to the
     * key's partition owner and comes back to its own replica asynchronously: others may see its load (the cluster
     * formed) before it does (a CI run read null here).
     */
    static MemberLoad ownLoad(Member member) {
        com.hazelcast.cluster.Member local = member.hazelcast.getCluster().getLocalMember();
        return await().alias("its own replica holds its load").atMost(Duration.ofSeconds(60))
                .until(() -> loadsOf(member).of(local), java.util.Objects::nonNull);
    }

    /**
     * Puts {@code load} as {@code member}'s into the loads from {@code viewer}, made recognisable (one more placer,
     * nobody's, with 0 tasks: no score changes), and waits until {@code viewer}'s placements see that very load. Waiting
     * for any load of {@code member} is not enough: its own last publication may still be in the view, and the put's
     * event arriving after a placement passed {@code member} over would make it a candidate again.
     */
    static void putStale(Member viewer, com.hazelcast.cluster.Member member, MemberLoad load) {
        java.util.Map<UUID, Integer> marked = new java.util.HashMap<>(load.placedBy());
        marked.put(UUID.randomUUID(), 0);
        MemberLoad stale = new MemberLoad(load.member(), load.live(), marked, load.headroom(), load.handlers(),
                load.durableOwner());
        viewer.hazelcast.<UUID, MemberLoad>getReplicatedMap(MemberLoads.MAP).put(member.getUuid(), stale);
        await().alias("the stale load is what placements see").atMost(Duration.ofSeconds(60))
                .until(() -> stale.equals(loadsOf(viewer).seen(member)));
    }

    private static boolean idle(MemberLoad load) {
        return load != null && load.live() == 0 && load.placedBy().values().stream().allMatch(count -> count == 0);
    }

    private static MemberLoads loadsOf(Member member) {
        return member.cluster.loads();
    }

    String hold(String member) throws InterruptedException {
        held.merge(member, 1, Integer::sum);
        try {
            release.await();
            return member;
        }
        catch (InterruptedException ex) {
            interrupted.countDown();
            throw ex;
        }
    }

    int heldCount() {
        return held.values().stream().mapToInt(Integer::intValue).sum();
    }

    Member get(int index) {
        return members.get(index);
    }

    /**
     * Member 0 runs one held task, so that its next placements, and every other member's, go elsewhere (ties go to
     * the placing member): returns once every other member sees it busy, or a member that still read it idle could
     * place there (that wait was hidden behind Awaitility's first 100 ms).
     */
    Member busyFirst() {
        Member a = get(0);
        a.orchestrator.to(String.class).anywhere().run("hold", "x");
        await().atMost(Duration.ofSeconds(30)).until(() -> held.containsKey(a.name));
        com.hazelcast.cluster.Member busy = a.hazelcast.getCluster().getLocalMember();
        await().alias("every member sees member 0 busy").atMost(Duration.ofSeconds(30))
                .until(() -> members.stream().filter(m -> m != a).allMatch(m -> {
                    MemberLoad seen = loadsOf(m).seen(busy);
                    return seen != null && seen.live() >= 1;
                }));
        return a;
    }

    static Config config(String clusterName, int base, int size, int index) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setInstanceName(clusterName + "-" + index);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        // Fewer partitions (271 by default) to migrate whenever a member joins or leaves: on two cores those
        // migrations took much of a three-member formation. Nothing the cluster does depends on the count.
        config.setProperty("hazelcast.partition.count", "31");
        config.setProperty("hazelcast.logging.type", "jdk");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(base + index).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int i = 0; i < size; i++) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + (base + i));
        }
        return config;
    }

    /**
     * A block of {@code size} ports that were free a moment ago, in this test JVM's own range: surefire runs the
     * module's classes in {@code sweet.test.forks} JVMs at once (numbered from 1 in {@code sweet.test.fork}), and
     * a block another JVM picked but has not bound yet (join()'s next ports) must not be picked here too.
     */
    static int freeBlock(int size) {
        int forks = Math.max(1, number("sweet.test.forks", "1"));
        int fork = Math.floorMod(number("sweet.test.fork", forks == 1 ? "1" : null) - 1, forks);
        int span = 12_000 / forks;
        for (int attempt = 0; attempt < 50; attempt++) {
            // Below Linux's ephemeral range (32768 on): a member connecting to a port that just closed in that
            // range can be given the same port as its own end and connect to itself ("Connecting to self!").
            int base = 20_000 + fork * span + (int) (Math.random() * (span - size));
            if (allFree(base, size)) {
                return base;
            }
        }
        throw new IllegalStateException("no block of " + size + " free ports found");
    }

    /**
     * A system property's number, in decimal ("02" from the pom's {@code 0${surefire.forkNumber}}: surefire leaves
     * a placeholder standing alone in {@code systemPropertyVariables} empty, SUREFIRE-1068). Forked JVMs without
     * their number would all take ports from the same range and bind each other's: an error, not a default.
     */
    private static int number(String property, String otherwise) {
        String value = System.getProperty(property, "").strip();
        if (value.isEmpty() && otherwise != null) {
            value = otherwise;
        }
        try {
            return Integer.parseInt(value);
        }
        catch (NumberFormatException ex) {
            throw new IllegalStateException("system property " + property + " is '" + value
                    + "', not a number: the test JVMs cannot keep to ports of their own", ex);
        }
    }

    private static boolean allFree(int base, int size) {
        for (int port = base; port < base + size; port++) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            }
            catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        release.countDown();
        for (Member member : members) {
            member.orchestrator.close();
        }
        for (Member member : members) {
            member.hazelcast.getLifecycleService().terminate();
        }
    }
}
