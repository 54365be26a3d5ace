package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Round 2 of the hostile review of the cluster (SPEC §7) with durable tasks: a member that is alive but
 * hits a moment's store failure at the worst time. Each test failed before its fix.
 */
@Timeout(120)
class ClusterRound2Test {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private DurableMembers test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    /**
     * Promise (SPEC §6-7): durable tasks "run at least once", and for placed work "no caller waits forever". A
     * durable task is stored owned by member B and placed there; B's read of the invocation, before it runs it,
     * fails for a moment. Before the fix B answered "lost" and forgot it: the caller's handle waited for a next run,
     * but B, alive and renewing its lease, still owned the invocation, so nobody ever claimed it, and neither the
     * task nor its caller ever ended. B now runs it once the store answers again.
     */
    @Test
    void aPlacedDurableTaskWhoseMemberFailsToReadItForAMomentStillRunsAndItsCallerHearsTheEnd() {
        test = DurableMembers.start(2);
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        SpawningTask<String> onA = a.orchestrator.to(String.class).durable("first-holds", "job-a").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        assertThat(test.runs.get("job-a")).containsExactly(a.name); // ties go to the submitting member

        test.views.get(1).failNextDurableReads(1);
        SpawningTask<String> placed = a.orchestrator.to(String.class).durable("first-holds", "job-b").run();
        await().atMost(CEILING).alias("B was asked to run it, and its read failed")
                .until(() -> test.views.get(1).durableReadsFailed.get() == 1);
        test.release.countDown();

        await().atMost(CEILING).alias("the placed durable task ends and its caller hears it").until(placed::isDone);
        assertThat(placed.join()).isEqualTo(b.name);
        assertThat(test.runs.get("job-b")).containsExactly(b.name);
        assertThat(onA.join()).isEqualTo(a.name);
        await().atMost(CEILING).until(() -> test.store.durable(placed.id()).orElseThrow().status().equals("COMPLETED"));
        assertThat(test.store.durable(placed.id()).orElseThrow().attempts()).isEqualTo(1);
    }

    /**
     * Promise (SPEC §7): the caller's handle reflects the remote task, and {@code cancel()} interrupts the remote
     * body; only this member's own shutdown ends a handle without stopping the work elsewhere (the work is not
     * lost: it runs on). Member A drains ({@code shutdown(grace)}: a deployment), and during the grace its user (or
     * an operator, by id) cancels the handle of a durable task placed on B. Before the fix the handle took any
     * interruption while its orchestrator shut down for the shutdown's: it left the work running on B, which
     * completed the task its user had cancelled.
     */
    @Test
    void aPlacedDurableTaskCancelledDuringItsCallersGraceIsCancelledWhereItRuns() {
        test = DurableMembers.start(2);
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        a.orchestrator.to(String.class).durable("first-holds", "job-a").run(); // keeps A's drain waiting
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        SpawningTask<String> placed = a.orchestrator.to(String.class).durable("first-holds", "job-b").run();
        await().atMost(CEILING).alias("the placed task runs on B").until(() -> test.holding.get() == 2);
        assertThat(test.runs.get("job-b")).containsExactly(b.name);

        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> a.orchestrator.shutdown(CEILING));
        await().atMost(CEILING).alias("A drains").until(() -> !a.orchestrator.isAccepting());
        assertThat(placed.cancel()).isTrue();

        await().atMost(CEILING).alias("B's run is cancelled (the store says so)")
                .until(() -> test.store.durable(placed.id()).orElseThrow().status().equals("CANCELLED"));
        assertThat(test.runs.get("job-b")).containsExactly(b.name);
        test.release.countDown();
        assertThat(drained.join()).isTrue();
    }
}
