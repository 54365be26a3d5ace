package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Durable tasks of a member that dies, in a cluster of three sharing one store. */
@Timeout(120)
class DurableMemberLossTest {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private DurableMembers test;

    @BeforeEach
    void form() {
        test = DurableMembers.start(3);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    @Test
    void aDurableTaskRunningOnAKilledMemberIsRunAgainByASurvivor() {
        TestCluster.Member victim = test.get(1);
        SpawningTask<String> task = victim.orchestrator.to(String.class).durable("first-holds", "pinned").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        assertThat(test.runs.get("pinned")).containsExactly(victim.name); // ties go to the submitting member

        long killed = System.nanoTime();
        test.kill(1);

        TestCluster.Member survivor = test.get(0);
        await().atMost(CEILING).until(() -> survivor.orchestrator.storedResult(task.id(), String.class).isPresent());
        System.out.printf("durable task of a killed member ended elsewhere %d ms after the kill (lease %s)%n",
                Duration.ofNanos(System.nanoTime() - killed).toMillis(), DurableMembers.LEASE);
        Optional<TaskResult<String>> result = survivor.orchestrator.storedResult(task.id(), String.class);
        assertThat(result).get().isInstanceOf(TaskResult.Ok.class);
        String reRanOn = ((TaskResult.Ok<String>) result.get()).value();
        assertThat(reRanOn).isIn(test.get(0).name, test.get(2).name);
        assertThat(test.runs.get("pinned")).containsExactly(victim.name, reRanOn);
        DurableRecord record = test.store.durable(task.id()).orElseThrow();
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.status()).isEqualTo("COMPLETED");
    }

    @Test
    void aPlacedDurableTaskWhoseMemberIsKilledCompletesOnASurvivorAndItsHandleFollows() {
        TestCluster.Member caller = test.get(0);
        SpawningTask<String> busy = caller.orchestrator.to(String.class).durable("first-holds", "busy").run();
        Placed placed = placeThenKill(caller, "doomed");

        String reRanOn = awaitRerun(placed);

        assertThat(reRanOn).isNotEqualTo(placed.victim).isIn(test.get(0).name, test.get(1).name, test.get(2).name);
        assertThat(busy.status()).isEqualTo(TaskStatus.RUNNING); // the caller's own work goes on
    }

    @Test
    void whenOnlyTheCallerSurvivesItsHandleRunsTheWorkItself() {
        TestCluster.Member caller = test.get(0);
        caller.orchestrator.to(String.class).durable("first-holds", "busy").run();
        Placed placed = placeThenKill(caller, "handed-off");
        test.kill(test.cluster.members.indexOf(test.cluster.members.stream()
                .filter(m -> m != caller && !m.name.equals(placed.victim)).findFirst().orElseThrow()));

        assertThat(awaitRerun(placed)).isEqualTo(caller.name);
        // The handle ran the re-run in its own body: as a re-run it counts (it said 1, the handle's own attempt)
        assertThat(test.attempts.get("handed-off")).containsExactly(1, 2);
        assertThat(placed.task.info().attempts()).isEqualTo(2);
    }

    @Test
    void whenAnotherSurvivorRunsItTheCallersHandleHearsTheResult() {
        TestCluster.Member caller = test.get(0);
        caller.orchestrator.to(String.class).durable("first-holds", "busy").run();
        test.views.get(0).refuseClaims();
        Placed placed = placeThenKill(caller, "told");

        String reRanOn = awaitRerun(placed);

        assertThat(reRanOn).isNotEqualTo(caller.name).isNotEqualTo(placed.victim);
    }

    /**
     * The member running a placed durable task is cut off from the store but stays in the cluster (a network
     * split between it and the database) and its run goes on: past its lease a survivor claims the task and
     * it completes there; the caller's handle has that value (it used to wait for the cut-off member's copy,
     * for ever if that copy never ended). The copy, a duplicate now, is cancelled through the cluster while
     * its member is still cut off, and when that member reaches the store again its end does not overwrite
     * the survivor's.
     */
    @Test
    void aPlacedDurableTaskWhoseMemberIsCutOffFromTheStoreCompletesElsewhereAndItsCopyIsCancelled() {
        TestCluster.Member caller = test.get(0);
        caller.orchestrator.to(String.class).durable("first-holds", "busy").run();
        await().atMost(CEILING).until(() -> test.holding.get() >= 1);
        int before = test.holding.get();
        SpawningTask<String> task = caller.orchestrator.to(String.class).named("split")
                .durable("first-holds", "split").run();
        await().atMost(CEILING).until(() -> test.holding.get() == before + 1);
        String victim = test.runs.get("split").getFirst();
        int index = test.cluster.members.indexOf(test.cluster.members.stream().filter(m -> m.name.equals(victim))
                .findFirst().orElseThrow());
        test.views.get(index).cut();

        await().atMost(CEILING).until(task::isDone);
        String reRanOn = task.join();
        assertThat(reRanOn).isNotEqualTo(victim);
        assertThat(test.runs.get("split")).containsExactly(victim, reRanOn);
        await().atMost(CEILING).alias("the cut-off member's copy is cancelled through the cluster")
                .until(() -> test.holding.get() == before);
        TestCluster.Member member = test.get(index);
        await().atMost(CEILING).until(() -> member.orchestrator.find(task.id()).map(t -> t.status().isTerminal())
                .orElse(true));

        test.views.get(index).heal();
        await().atMost(CEILING).until(() -> member.orchestrator.flushStore());
        DurableRecord record = test.store.durable(task.id()).orElseThrow();
        assertThat(record.status()).isEqualTo("COMPLETED");
        assertThat(record.result()).as("the survivor's end stands").isEqualTo(reRanOn);
        assertThat(record.attempts()).isEqualTo(2);
    }

    private record Placed(SpawningTask<String> task, String argument, String victim, long killedAt) {
    }

    /** With the caller busy, places a durable task elsewhere, waits for it to run, and kills its member. */
    private Placed placeThenKill(TestCluster.Member caller, String argument) {
        await().atMost(CEILING).until(() -> test.holding.get() >= 1); // the caller is busier: work goes elsewhere
        int before = test.holding.get();
        SpawningTask<String> task = caller.orchestrator.to(String.class).named(argument)
                .durable("first-holds", argument).run();
        await().atMost(CEILING).until(() -> test.holding.get() == before + 1);
        String victim = test.runs.get(argument).getFirst();
        assertThat(victim).isNotEqualTo(caller.name);
        assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
        long killedAt = System.nanoTime();
        test.kill(test.cluster.members.indexOf(test.cluster.members.stream().filter(m -> m.name.equals(victim))
                .findFirst().orElseThrow()));
        return new Placed(task, argument, victim, killedAt);
    }

    /** Waits for the handle to end; checks it completed with the re-run's value, recorded in the store. */
    private String awaitRerun(Placed placed) {
        SpawningTask<String> task = placed.task;
        await().atMost(CEILING).until(task::isDone);
        System.out.printf("placed durable task '%s' of a killed member: its handle completed %d ms after the kill "
                + "(lease %s), run again on %s%n", placed.argument,
                Duration.ofNanos(System.nanoTime() - placed.killedAt).toMillis(), DurableMembers.LEASE, task.join());
        String reRanOn = task.join();
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(test.runs.get(placed.argument)).containsExactly(placed.victim, reRanOn);
        await().atMost(CEILING).until(() -> test.store.durable(task.id()).orElseThrow().status().equals("COMPLETED"));
        DurableRecord record = test.store.durable(task.id()).orElseThrow();
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.result()).isEqualTo(reRanOn);
        await().atMost(CEILING).until(() -> test.store.find(task.id()).orElseThrow().status().equals("COMPLETED"));
        return reRanOn;
    }
}
