package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 7 (placement; no caller waits forever) with the application's own Hazelcast configuration: the executor
 * {@code sweet-async}, which carries every start, end and cancellation, took the application's {@code default}
 * executor configuration. One with a bounded queue (a common guard against memory growth) turned messages away under
 * a burst: starts failed the handles, and an end message, sent without an answer, was dropped, so its handle waited
 * for good.
 */
@Timeout(180)
class Review12ExecutorConfigTest {

    private final List<HazelcastInstance> instances = new ArrayList<>();
    private final List<TaskOrchestrator> orchestrators = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        orchestrators.forEach(TaskOrchestrator::close);
        instances.forEach(instance -> instance.getLifecycleService().terminate());
    }

    @Test
    void aBurstOfPlacementsAllEndUnderTheApplicationsBoundedDefaultExecutor() throws Exception {
        String name = "sweet-test-" + UUID.randomUUID();
        int base = TestCluster.freeBlock(2);
        TaskOrchestrator a = start(name, base, 0);
        start(name, base, 1);
        HazelcastTaskCluster aCluster = (HazelcastTaskCluster) instances.get(0).getUserContext()
                .get(HazelcastTaskCluster.class.getName());
        com.hazelcast.cluster.Member bMember = instances.get(1).getCluster().getLocalMember();
        await().atMost(Duration.ofSeconds(60)).until(() -> aCluster.loads().isCandidate(bMember));
        for (int i = 0; i < 3; i++) { // a busier than b: placements go to b
            a.to(String.class).named("busy").run(() -> {
                release.await();
                return "a";
            });
        }
        List<SpawningTask<String>> handles = new CopyOnWriteArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    handles.add(a.to(String.class).anywhere().run("nap", "x"));
                }
            }));
        }
        for (Thread submitter : submitters) {
            submitter.join();
        }

        await().alias("every handle ends").atMost(Duration.ofSeconds(90))
                .until(() -> handles.stream().allMatch(h -> h.status().isTerminal()));
        assertThat(handles.stream().filter(h -> h.status() != TaskStatus.COMPLETED)
                .map(h -> h.status() + (h.result() instanceof TaskResult.Err<String> err ? ": " + err.error().getMessage() : ""))
                .collect(Collectors.toSet())).as("handles that did not complete").isEmpty();
    }

    private TaskOrchestrator start(String name, int base, int index) {
        Config config = TestCluster.config(name, base, 2, index);
        config.getExecutorConfig("default").setPoolSize(1).setQueueCapacity(2); // the application's guard
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
        instances.add(hazelcast);
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .cluster(new HazelcastTaskCluster(hazelcast, Duration.ofMillis(50)))
                .handler("nap", String.class, any -> {
                    Thread.sleep(20); // past the inline window: its end goes in a message
                    return any;
                }).build();
        orchestrators.add(orchestrator);
        return orchestrator;
    }
}
