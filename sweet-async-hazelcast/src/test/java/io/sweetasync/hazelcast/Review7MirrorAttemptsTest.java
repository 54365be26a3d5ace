package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review (review7) of "the next run counts its attempts on from the last one written" (DurableStarts):
 * the caller's mirror, which runs a placed invocation itself once it claims it (DurableMirror.runClaimed), counts
 * from the invocation's runs only, not from the attempts its last run's record says.
 */
@Timeout(120)
class Review7MirrorAttemptsTest {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private DurableMembers test;
    /** Attempts of each run of "retry-then-hold", by argument: "member#attempt". */
    private final Map<String, List<String>> seen = new ConcurrentHashMap<>();
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void stop() {
        never.countDown();
        if (test != null) {
            test.close();
        }
    }

    private String retryThenHold(String argument, int index) throws Exception {
        String member = test.get(index).name;
        int attempt = TaskContext.current().orElseThrow().attempt();
        List<String> runs = seen.computeIfAbsent(argument, any -> new CopyOnWriteArrayList<>());
        boolean firstMember = runs.isEmpty() || runs.getFirst().startsWith(member + "#");
        runs.add(member + "#" + attempt);
        if (firstMember && attempt < 3) {
            throw new IOException("attempt " + attempt + " fails");
        }
        if (firstMember) {
            never.await(); // its third attempt runs until its member dies
        }
        return member;
    }

    @Test
    void theCallersOwnReRunOfAPlacedDurableTaskCountsOnFromTheAttemptsItsLastRunWrote() {
        test = DurableMembers.start(3, (index, builder) -> builder.handler("retry-then-hold", String.class,
                argument -> retryThenHold(argument, index)));
        TestCluster.Member caller = test.get(0);
        caller.orchestrator.to(String.class).durable("first-holds", "busy").run();
        await().atMost(CEILING).until(() -> test.holding.get() >= 1); // the caller is busier: work goes elsewhere

        SpawningTask<String> task = caller.orchestrator.to(String.class).named("retried")
                .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(10, Duration.ofMillis(5))))
                .durable("retry-then-hold", "retried").run();
        await().atMost(CEILING).until(() -> seen.getOrDefault("retried", List.of()).size() == 3);
        String victim = seen.get("retried").getFirst().split("#")[0];
        assertThat(victim).isNotEqualTo(caller.name);
        // its record says its third attempt, written by its member before it dies
        await().atMost(CEILING).until(() -> test.store.find(task.id()).map(r -> r.attempts() == 3).orElse(false));

        int victimIndex = test.cluster.members.indexOf(test.cluster.members.stream()
                .filter(m -> m.name.equals(victim)).findFirst().orElseThrow());
        test.kill(victimIndex);
        test.kill(test.cluster.members.indexOf(test.cluster.members.stream()
                .filter(m -> m != caller && !m.name.equals(victim)).findFirst().orElseThrow()));

        await().atMost(CEILING).until(task::isDone);
        assertThat(task.join()).isEqualTo(caller.name); // the caller's handle ran it itself
        assertThat(seen.get("retried")).as("attempts of every run, the caller's re-run counting on from the third")
                .containsExactly(victim + "#1", victim + "#2", victim + "#3", caller.name + "#4");
    }
}
