package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Durable tasks placed across three real members sharing one store. */
@Timeout(120)
class DurablePlacementTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private DurableMembers test;
    /** Holds the bodies of member 0's mirrors of tasks named "spread" (in their onStarted) until counted down. */
    private final CountDownLatch mirrorsMayStart = new CountDownLatch(1);

    /** Member 0's durable starts deferred to the "commit" while a test submits "in a transaction". */
    private final Queue<Runnable> uncommitted = new ConcurrentLinkedQueue<>();
    private volatile boolean inTransaction;

    @BeforeEach
    void form() {
        test = DurableMembers.start(3, (index, builder) -> index > 0 ? builder : builder.listener(new HoldMirrors())
                .durableStartGate((start, abandon) -> {
                    if (inTransaction) {
                        uncommitted.add(start); // as the starter's gate does: started once the transaction commits
                    }
                    else {
                        start.run();
                    }
                }));
    }

    @AfterEach
    void stop() {
        mirrorsMayStart.countDown();
        test.close();
    }

    /** What a loaded machine does to the handles of placed work: their bodies start late. */
    private final class HoldMirrors implements TaskListener {

        @Override
        public void onStarted(TaskInfo task) {
            if (task.name().equals("spread") && task.tags().containsKey("placed-from")) {
                try {
                    mirrorsMayStart.await(CEILING.toSeconds(), TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The bodies of a's mirrors (the handles of the work placed elsewhere) are held until the split is read: on a
     * loaded machine they start late, and a handle whose body had not started yet counted as work of a, so that
     * the burst went 1/4/4 (a ran its first task only).
     */
    @Test
    void durableWorkSpreadsOverEveryMemberAndEachRecordNamesItsRunner() {
        TestCluster.Member a = test.get(0);
        List<SpawningTask<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tasks.add(a.orchestrator.to(String.class).named("spread").group("billing").durable("first-holds", "job-" + i)
                    .run());
        }
        await().atMost(CEILING).until(() -> test.holding.get() == 9);
        Map<String, Integer> perMember = new HashMap<>();
        test.runs.values().forEach(ranOn -> perMember.merge(ranOn.getFirst(), 1, Integer::sum));
        assertThat(perMember).containsOnlyKeys(test.get(0).name, test.get(1).name, test.get(2).name)
                .allSatisfy((member, count) -> assertThat(count).isEqualTo(3));
        for (SpawningTask<String> task : tasks) {
            assertThat(task.status()).isEqualTo(TaskStatus.RUNNING); // the handle follows the work
        }
        for (TestCluster.Member member : test.cluster.members) { // admitted where it runs; a handle holds no permit
            assertThat(member.orchestrator.limiter("billing").inFlight()).as(member.name).isEqualTo(3);
        }

        mirrorsMayStart.countDown();
        test.release.countDown();
        for (int i = 0; i < tasks.size(); i++) {
            SpawningTask<String> task = tasks.get(i);
            await().pollDelay(Duration.ZERO).atMost(CEILING).until(task::isDone);
            assertThat(task.join()).isEqualTo(test.runs.get("job-" + i).getFirst());
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        }
        for (SpawningTask<String> task : tasks) {
            boolean placed = !task.join().equals(a.name);
            await().pollDelay(Duration.ZERO).atMost(CEILING).until(() -> test.store.durable(task.id()).orElseThrow().status().equals("COMPLETED"));
            DurableRecord durable = test.store.durable(task.id()).orElseThrow();
            assertThat(durable.attempts()).isEqualTo(1);
            assertThat(durable.result()).isEqualTo(task.join());
            await().pollDelay(Duration.ZERO).atMost(CEILING).until(() -> test.store.find(task.id()).orElseThrow().status().equals("COMPLETED"));
            TaskRecord record = test.store.find(task.id()).orElseThrow();
            assertThat(record.incarnation()).isEqualTo(durable.owner()); // written by the member that ran it
            assertThat(record.group()).isEqualTo("billing");
            if (placed) {
                assertThat(record.tags()).containsEntry("placed-from", a.name);
            }
            else {
                assertThat(record.tags()).doesNotContainKey("placed-from");
            }
        }
    }

    /**
     * A burst submitted in one transaction (each task starts at the commit) spreads too: a member chosen for a task
     * not started yet counts it. It went 1/8/0 (every placed task to the first other member).
     */
    @Test
    void durableWorkSubmittedInOneTransactionSpreadsOverEveryMember() {
        TestCluster.Member a = test.get(0);
        inTransaction = true;
        List<SpawningTask<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tasks.add(a.orchestrator.to(String.class).named("committed").durable("first-holds", "job-" + i).run());
        }
        inTransaction = false;
        assertThat(test.holding.get()).isZero(); // nothing started before the commit
        uncommitted.forEach(Runnable::run);

        await().atMost(CEILING).until(() -> test.holding.get() == 9);
        Map<String, Integer> perMember = new HashMap<>();
        test.runs.values().forEach(ranOn -> perMember.merge(ranOn.getFirst(), 1, Integer::sum));
        assertThat(perMember).containsOnlyKeys(test.get(0).name, test.get(1).name, test.get(2).name)
                .allSatisfy((member, count) -> assertThat(count).isEqualTo(3));
        test.release.countDown();
        for (int i = 0; i < tasks.size(); i++) {
            SpawningTask<String> task = tasks.get(i);
            await().pollDelay(Duration.ZERO).atMost(CEILING).until(task::isDone);
            assertThat(task.join()).isEqualTo(test.runs.get("job-" + i).getFirst());
        }
    }

    @Test
    void cancellingTheHandleOfAPlacedDurableTaskCancelsItWhereItRuns() {
        TestCluster.Member a = test.get(0);
        a.orchestrator.to(String.class).durable("first-holds", "busy").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        SpawningTask<String> task = a.orchestrator.to(String.class).durable("first-holds", "cancelled").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 2);
        assertThat(test.runs.get("cancelled").getFirst()).isNotEqualTo(a.name);

        assertThat(task.cancel()).isTrue();

        await().atMost(CEILING).until(() -> test.holding.get() == 1); // its body there was interrupted
        await().atMost(CEILING).until(() -> task.status() == TaskStatus.CANCELLED);
        await().atMost(CEILING).until(() -> test.store.durable(task.id()).orElseThrow().status().equals("CANCELLED"));
        assertThat(test.runs.get("cancelled")).hasSize(1);
    }

    @Test
    void theSubmittingMemberStoppingEndsItsHandleButNotTheWork() {
        TestCluster.Member a = test.get(0);
        a.orchestrator.to(String.class).durable("first-holds", "busy").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        SpawningTask<String> task = a.orchestrator.to(String.class).durable("first-holds", "outlives").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 2);
        String ranOn = test.runs.get("outlives").getFirst();
        assertThat(ranOn).isNotEqualTo(a.name);

        a.orchestrator.close();

        assertThat(task.isDone()).isTrue();
        assertThat(test.holding.get()).isEqualTo(1); // still held there: only a's own task stopped
        test.release.countDown();
        await().atMost(CEILING).until(() -> test.store.durable(task.id()).orElseThrow().status().equals("COMPLETED"));
        assertThat(test.store.durable(task.id()).orElseThrow().result()).isEqualTo(ranOn);
        assertThat(test.runs.get("outlives")).containsExactly(ranOn);
        assertThat(task.status()).isNotEqualTo(TaskStatus.COMPLETED); // its handle ended with its member
    }
}
