package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.partition.PartitionReplica;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 6/7: ids are unique among the members of a running cluster. The counter in {@code sweet-async-ids} has one
 * backup; when the two members holding it crash at once (a host with two replicas goes down), the survivors lose it,
 * and members that join next counted from 1 again: one took a survivor's incarnation, and both made the same ids.
 */
@Timeout(240)
class Review12IdsAfterPartitionLossTest {

    private TestCluster test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void membersJoiningAfterTheCounterWasLostTakeNoSurvivorsNumber() throws Exception {
        test = TestCluster.start(3);
        TestCluster.Member any = test.get(0);
        int partition = any.hazelcast.getPartitionService().getPartition("incarnation").getPartitionId();
        var replicas = ((HazelcastInstanceProxy) any.hazelcast).getOriginal().node.getPartitionService()
                .getPartition(partition);
        org.awaitility.Awaitility.await().alias("the counter's partition has its backup").atMost(java.time.Duration.ofSeconds(60))
                .until(() -> replicas.getReplica(0) != null && replicas.getReplica(1) != null);
        PartitionReplica owner = replicas.getReplica(0);
        PartitionReplica backup = replicas.getReplica(1);
        List<TestCluster.Member> holders = test.members.stream().filter(m -> {
            UUID uuid = m.hazelcast.getCluster().getLocalMember().getUuid();
            return uuid.equals(owner.uuid()) || uuid.equals(backup.uuid());
        }).toList();
        assertThat(holders).hasSize(2);
        TestCluster.Member survivor = test.members.stream().filter(m -> !holders.contains(m)).findFirst().orElseThrow();
        long survivorsNumber = incarnation(survivor);

        List<Thread> crashes = new ArrayList<>();
        for (TestCluster.Member holder : holders) {
            crashes.add(Thread.ofPlatform().start(() -> holder.hazelcast.getLifecycleService().terminate()));
        }
        for (Thread crash : crashes) {
            crash.join();
        }
        test.members.remove(holders.get(0));
        holders.get(0).orchestrator.close();
        test.left(holders.get(1));
        List<Long> numbers = new ArrayList<>();
        numbers.add(survivorsNumber);
        for (int i = 0; i < 3; i++) {
            numbers.add(incarnation(test.join()));
        }

        assertThat(numbers).as("the survivor's incarnation first, then those of the members that joined")
                .doesNotHaveDuplicates();
    }

    private static long incarnation(TestCluster.Member member) {
        return member.orchestrator.to(String.class).run(() -> "any").id().incarnation();
    }
}
