package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 7 "join during submission": bursts of durable and anywhere() submissions while a member joins (partitions
 * migrate, the new member's load appears): every handle completes with its own value, and ids stay unique.
 */
@Timeout(240)
class Review12BurstDuringJoinTest {

    private DurableMembers test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void everyHandleOfABurstCompletesWhileAMemberJoins() throws Exception {
        test = DurableMembers.start(2, (index, builder) -> builder.handler("nap", String.class, any -> {
            Thread.sleep(30);
            return any;
        }));
        TestCluster.Member a = test.get(0);
        Map<SpawningTask<String>, String> arguments = new ConcurrentHashMap<>();
        CountDownLatch started = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 80; i++) {
                    String argument = thread + "-" + i;
                    SpawningTask<String> handle = thread == 0 ? a.orchestrator.to(String.class).durable("nap", argument).run()
                            : a.orchestrator.to(String.class).anywhere().run("nap", argument);
                    arguments.put(handle, argument);
                    started.countDown();
                    try {
                        Thread.sleep(5);
                    }
                    catch (InterruptedException ex) {
                        return;
                    }
                }
            }));
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        test.cluster.join(); // configured as the others: a store, a codec, the handlers
        for (Thread submitter : submitters) {
            submitter.join(TimeUnit.SECONDS.toMillis(120));
        }

        await().alias("every handle ends").atMost(Duration.ofSeconds(120))
                .until(() -> arguments.keySet().stream().allMatch(h -> h.status().isTerminal()));
        assertThat(arguments).hasSize(240);
        assertThat(arguments.keySet().stream().filter(h -> h.status() != TaskStatus.COMPLETED)
                .map(h -> h.status() + (h.result() instanceof TaskResult.Err<String> err ? ": " + err.error().getMessage() : ""))
                .collect(Collectors.toSet())).as("handles that did not complete").isEmpty();
        arguments.forEach((handle, argument) -> assertThat(handle.join()).isEqualTo(argument));
        assertThat(arguments.keySet().stream().map(SpawningTask::id).distinct().count()).isEqualTo(240);
    }
}
