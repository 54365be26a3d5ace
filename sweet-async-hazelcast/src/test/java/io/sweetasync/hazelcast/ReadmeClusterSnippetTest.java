package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.io.Serializable;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The README's cluster snippets, as written (between the markers), on one real member. */
class ReadmeClusterSnippetTest {

    record Image(String name, int width) implements Serializable {
    }

    interface Resizer {
        Image resize(Image image);
    }

    final Resizer resizer = image -> new Image(image.name(), image.width() / 2);

    @Test
    void theClusterSnippetsAsWritten() {
        Config config = TestCluster.config("readme-" + UUID.randomUUID(), TestCluster.freeBlock(1), 1, 0);
        Image image = new Image("cat.png", 800);
        // --- README: Cluster ---
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);   // your Hazelcast config
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .cluster(new HazelcastTaskCluster(hazelcast))
                .handler("resize", Image.class, resizer::resize)
                .build();
        SpawningTask<Image> small = orchestrator.to(Image.class).named("resize").anywhere().run("resize", image);
        // --- end ---
        try {
            assertThat(small.join()).isEqualTo(new Image("cat.png", 400));
        } finally {
            orchestrator.close();
        }
        // --- README: Cluster-wide groups ---
        TaskOrchestrator wide = TaskOrchestrator.builder().cluster(new HazelcastTaskCluster(hazelcast))
                .group("partner-api", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
                        .withLimits(12, 1, 12).withClusterWide(true))  // at most 12 calls at once, cluster-wide
        // --- end ---
                .build();
        try {
            await().atMost(Duration.ofSeconds(30)).alias("the only member's share is the whole cluster-wide limit")
                    .untilAsserted(() -> {
                        LimiterSnapshot group = wide.limiters().getFirst();
                        assertThat(group.clusterLimit()).isEqualTo(12);
                        assertThat(group.members()).isEqualTo(1);
                        assertThat(group.limit()).isEqualTo(12);
                    });
        } finally {
            wide.close();
            hazelcast.shutdown();
        }
    }
}
