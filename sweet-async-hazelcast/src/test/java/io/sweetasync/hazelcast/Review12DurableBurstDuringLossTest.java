package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 6/7: durable tasks run at least once even if their member goes, and no caller waits forever. A burst of
 * durable submissions from one member while another member's orchestrator closes and a third is killed: every
 * handle completes, with its own argument's value.
 */
@Timeout(300)
class Review12DurableBurstDuringLossTest {

    private DurableMembers test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void everyDurableHandleOfABurstCompletesWhileOneMemberClosesAndAnotherIsKilled() throws Exception {
        test = DurableMembers.start(3, (index, builder) -> builder.handler("nap", String.class, any -> {
            Thread.sleep(300); // many are mid-run when their member goes
            return any;
        }));
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        java.util.Map<SpawningTask<String>, String> arguments = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Collection<SpawningTask<String>> handles = arguments.keySet();
        CountDownLatch halfway = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 60; i++) {
                    String argument = thread + "-" + i;
                    SpawningTask<String> handle = a.orchestrator.to(String.class).durable("nap", argument).run();
                    arguments.put(handle, argument);
                    if (i == 20) {
                        halfway.countDown();
                    }
                }
            }));
        }
        assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(b.orchestrator::close);
        test.kill(2);
        for (Thread submitter : submitters) {
            submitter.join(TimeUnit.SECONDS.toMillis(60));
        }
        closer.join(TimeUnit.SECONDS.toMillis(60));

        await().alias("every durable handle ends").atMost(Duration.ofSeconds(180))
                .until(() -> handles.stream().allMatch(h -> h.status().isTerminal()));
        assertThat(handles).hasSize(180);
        assertThat(handles.stream().filter(h -> h.status() != TaskStatus.COMPLETED)
                .map(h -> h.status() + ": " + (h.result() instanceof TaskResult.Err<String> err
                        ? err.error().getClass().getSimpleName() + ": " + err.error().getMessage() : ""))
                .collect(Collectors.toList())).as("handles that did not complete").isEmpty();
        arguments.forEach((handle, argument) -> assertThat(handle.join()).isEqualTo(argument));
    }
}
