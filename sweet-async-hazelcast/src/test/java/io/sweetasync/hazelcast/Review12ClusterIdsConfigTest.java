package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 6/7 (ids unique across cluster members) with the application's own Hazelcast configuration: the cluster's
 * incarnation counter lives in the map {@code sweet-async-ids}, which without a configuration of its own takes the
 * application's {@code default} map configuration. An application using Hazelcast as a cache gives that a time to
 * live (or a max idle): the counter expired, the next member without a store counted from 1 again and took the
 * number of a member still running, so two live members made the same task ids (a cancel by id then hit either).
 */
@Timeout(180)
class Review12ClusterIdsConfigTest {

    private final List<HazelcastInstance> instances = new ArrayList<>();
    private final List<TaskOrchestrator> orchestrators = new ArrayList<>();

    @AfterEach
    void stop() {
        orchestrators.forEach(TaskOrchestrator::close);
        instances.forEach(instance -> instance.getLifecycleService().terminate());
    }

    @Test
    void theIncarnationCounterOutlivesTheApplicationsDefaultMapExpiry() {
        String name = "sweet-test-" + UUID.randomUUID();
        int base = TestCluster.freeBlock(2);
        long first = incarnation(start(name, base, 0));
        HazelcastInstance firstInstance = instances.get(0);
        // Long enough for an entry under the default map configuration to have expired (its time to live is 1 s)
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
        firstInstance.getMap(ClusterIds.IDS).containsKey("incarnation"); // a read that expires it, if it may

        long second = incarnation(start(name, base, 1));

        assertThat(second).as("the second member's incarnation, the first's being " + first).isNotEqualTo(first);
    }

    private TaskOrchestrator start(String name, int base, int index) {
        Config config = TestCluster.config(name, base, 2, index);
        // The application's cache settings, for every map it did not configure by name
        config.getMapConfig("default").setTimeToLiveSeconds(1).setMaxIdleSeconds(1);
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
        instances.add(hazelcast);
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .cluster(new HazelcastTaskCluster(hazelcast, Duration.ofMillis(50))).build();
        orchestrators.add(orchestrator);
        return orchestrator;
    }

    private static long incarnation(TaskOrchestrator orchestrator) {
        return orchestrator.to(String.class).run(() -> "any").id().incarnation();
    }
}
