package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the day's changes to durable runs in a cluster: a placed durable task's handle cancelled while it
 * waits for its next run ({@code PlacedDurables}' cancellation everywhere) racing the run another member claimed, or
 * while its member cannot write the end; and placed work that ran, taken for work turned away unstarted.
 */
@Timeout(150)
class TodaysDurableChangesTest {

    private static final Duration CEILING = Duration.ofSeconds(30);
    /** The thread that ends the work of a handle cancelled while it waited for its next run. */
    private static final String CANCEL_THREAD = "sweet-async-durable-cancel";

    private DurableMembers durable;
    private TestCluster test;
    /** Runs of "gated" by argument: the members they ran on, in order. */
    private final Map<String, List<String>> gatedRuns = new ConcurrentHashMap<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch laterRunsGo = new CountDownLatch(1);
    private final CountDownLatch laterRunStarted = new CountDownLatch(1);
    private final CountDownLatch laterRunInterrupted = new CountDownLatch(1);
    private final Logger placedLog = Logger.getLogger("io.sweetasync.PlacedDurables");
    private final CountDownLatch waitingForNextRun = new CountDownLatch(1);
    private final Handler waitingSeen = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (String.valueOf(record.getMessage()).contains("waiting for its next run")) {
                waitingForNextRun.countDown();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void stop() {
        placedLog.removeHandler(waitingSeen);
        released.countDown();
        laterRunsGo.countDown();
        if (durable != null) {
            durable.close();
        }
        if (test != null) {
            test.close();
        }
    }

    /**
     * The handle on a of a durable task placed on a member that died is cancelled while it waits for the next run. Its
     * cancellation everywhere asks the others to cancel it (nobody runs it yet), then reads the invocation: pending,
     * claimed just now by the survivor, whose run goes on and completes, its record and end written. The handle's
     * record ({@code CANCELLED}) was then written over the survivor's ({@code COMPLETED}), guarded by the owner only:
     * the history said cancelled, the invocation completed with its result.
     */
    @Test
    void aCancelledHandleDoesNotWriteItsRecordOverTheRecordOfARunThatCompletedMeanwhile() throws InterruptedException {
        SpawningTask<String> task = placedAndItsMemberKilled("completes-first");
        long firstOwner = durable.store.durable(task.id()).orElseThrow().owner();
        CountDownLatch endTried = new CountDownLatch(1);
        durable.views.getFirst().hook = new CutOffStore.Hook() {
            @Override
            public void before(String call, Object argument) {
                if (!Thread.currentThread().getName().equals(CANCEL_THREAD)) {
                    return;
                }
                if (call.equals("durable")) { // after the cancel by id: the survivor claims it only now
                    survivorsClaim();
                    await().atMost(CEILING).alias("a survivor claimed it").until(() -> durable.store.durable(task.id())
                            .orElseThrow().owner() != firstOwner);
                }
                else { // the survivor's run ends, and is written, before this member writes anything
                    await().atMost(CEILING).alias("the survivor's end is written").until(() -> !durable.store
                            .durable(task.id()).orElseThrow().status().equals("PENDING"));
                }
            }

            @Override
            public void after(String call, Object argument, Object answer) {
                if (Thread.currentThread().getName().equals(CANCEL_THREAD)) {
                    if (call.equals("durable")) {
                        laterRunsGo.countDown(); // read pending: the survivor's run may end now
                    }
                    if (call.equals("finishDurable")) {
                        endTried.countDown();
                    }
                }
            }
        };

        assertThat(task.cancel(true)).isTrue();

        assertThat(endTried.await(CEILING.toSeconds(), TimeUnit.SECONDS)).as("a tried to end the invocation").isTrue();
        DurableRecord ended = durable.store.durable(task.id()).orElseThrow();
        assertThat(ended.status()).as("the survivor's run completed first").isEqualTo("COMPLETED");
        assertThat(durable.store.find(task.id()).orElseThrow().status()).as("the task's history")
                .isEqualTo(ended.status());
    }

    /**
     * As above, but the survivor's run, claimed after the cancel by id asked it, holds: a ends the invocation
     * {@code CANCELLED} with the handle's record, and the survivor stops its run at its next renewal (its end is
     * refused). Its stopped run's record ({@code FAILED}, {@code TaskLostException}) was then written over the
     * cancelled one: the invocation is still its incarnation's, and the record was guarded by the owner only.
     */
    @Test
    void aRunStoppedBecauseItsHandleWasCancelledDoesNotWriteItsRecordOverTheCancellation() throws InterruptedException {
        SpawningTask<String> task = placedAndItsMemberKilled("stopped-later");
        long firstOwner = durable.store.durable(task.id()).orElseThrow().owner();
        CountDownLatch cancellationWritten = new CountDownLatch(2); // its record and its end
        durable.views.getFirst().hook = new CutOffStore.Hook() {
            @Override
            public void before(String call, Object argument) {
                if (Thread.currentThread().getName().equals(CANCEL_THREAD) && call.equals("durable")) {
                    survivorsClaim();
                    await().atMost(CEILING).alias("a survivor claimed it").until(() -> durable.store.durable(task.id())
                            .orElseThrow().owner() != firstOwner);
                    try {
                        assertThat(laterRunStarted.await(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
                    }
                    catch (InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            }

            @Override
            public void after(String call, Object argument, Object answer) {
                if (Thread.currentThread().getName().equals(CANCEL_THREAD) && !call.equals("durable")) {
                    cancellationWritten.countDown();
                }
            }
        };
        CountDownLatch stoppedRunWritten = new CountDownLatch(1);
        for (CutOffStore view : durable.views.subList(1, durable.views.size())) {
            view.hook = new CutOffStore.Hook() {
                @Override
                @SuppressWarnings("unchecked")
                public void after(String call, Object argument, Object answer) {
                    if (call.equals("save") && laterRunInterrupted.getCount() == 0) {
                        for (TaskRecord record : (Collection<TaskRecord>) argument) {
                            if (record.id() == task.id().value() && TaskStatus.valueOf(record.status()).isTerminal()) {
                                stoppedRunWritten.countDown();
                            }
                        }
                    }
                }
            };
        }

        assertThat(task.cancel(true)).isTrue();

        assertThat(cancellationWritten.await(CEILING.toSeconds(), TimeUnit.SECONDS)).as("a wrote the cancellation")
                .isTrue();
        assertThat(laterRunInterrupted.await(CEILING.toSeconds(), TimeUnit.SECONDS)).as("the survivor stopped its run")
                .isTrue();
        assertThat(stoppedRunWritten.await(CEILING.toSeconds(), TimeUnit.SECONDS)).as("the survivor wrote its record")
                .isTrue();
        assertThat(durable.store.durable(task.id()).orElseThrow().status()).isEqualTo("CANCELLED");
        assertThat(durable.store.find(task.id()).orElseThrow().status()).as("the task's history").isEqualTo("CANCELLED");
    }

    /**
     * The same cancellation before the handle knows its member is gone: the member running the placed durable task is
     * cut off from the store (or dead, and the cluster has not noticed yet), and the handle on a is cancelled while it
     * still waits for that run. The cancel reached the run there (or nobody), but no end could be written: the
     * invocation stayed pending, owned by that member, and once its lease lapsed another member claimed it and ran it
     * again to completion, though its caller had cancelled it and was told so.
     */
    @Test
    void aPlacedDurableTaskCancelledWhileItsCutOffMemberStillRunsItIsNotRunAgain() {
        durable = DurableMembers.start(3);
        TestCluster.Member a = durable.get(0);
        a.orchestrator.to(String.class).durable("first-holds", "busy").run(); // a is busier: the next goes elsewhere
        await().atMost(CEILING).until(() -> durable.holding.get() == 1);
        durable.views.forEach(CutOffStore::refuseClaims); // nobody claims it before the cancellation is written
        SpawningTask<String> task = a.orchestrator.to(String.class).named("cut-off").durable("first-holds", "victim")
                .run();
        await().atMost(CEILING).until(() -> durable.holding.get() == 2);
        String victim = durable.runs.get("victim").getFirst();
        int victimIndex = durable.cluster.members.indexOf(durable.cluster.members.stream()
                .filter(member -> member.name.equals(victim)).findFirst().orElseThrow());
        assertThat(victimIndex).as("placed elsewhere").isNotZero();
        durable.views.get(victimIndex).cut();
        long cutAt = System.nanoTime();

        assertThat(task.cancel(true)).isTrue();

        await().atMost(CEILING).alias("the invocation ends cancelled in the store, for nobody to claim")
                .until(() -> durable.store.durable(task.id()).orElseThrow().status().equals("CANCELLED"));
        CutOffStore survivor = durable.views.get(3 - victimIndex);
        survivor.allowClaims();
        await().atMost(CEILING).alias("the victim's lease has lapsed")
                .until(() -> System.nanoTime() - cutAt > DurableMembers.LEASE.multipliedBy(2).toNanos());
        int looks = survivor.claimLooks.get();
        await().atMost(CEILING).alias("the survivor looked for orphans twice since")
                .until(() -> survivor.claimLooks.get() >= looks + 2);
        assertThat(durable.runs.get("victim")).as("runs").hasSize(1);
        assertThat(durable.store.find(task.id()).orElseThrow().status()).as("the task's history").isEqualTo("CANCELLED");
    }

    /**
     * Work placed from a on b runs there (b's default runtime runs it on the thread that starts it), and b's
     * orchestrator closes as it runs, within the start's inline wait: the task is cancelled by that shutdown, having
     * run. Its outcome, lost without a task id as every lost outcome is, was taken for a task rejected unstarted: the
     * start answered "refused" and a placed the work again, so it ran a second time (here, on a), though SPEC 7 says a
     * task that is not durable whose member stops ends {@code FAILED} with {@code TaskLostException}.
     */
    @Test
    void workThatRanOnAMemberWhoseShutdownCancelledItAsItStartedIsNotPlacedAgain() {
        Map<String, List<String>> ran = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicReference<TestCluster> cluster = new java.util.concurrent.atomic.AtomicReference<>();
        test = TestCluster.start(2, (index, builder) -> {
            builder.handler("closes-its-member", String.class, argument -> {
                TestCluster.Member here = cluster.get().get(index);
                ran.computeIfAbsent(argument, any -> new CopyOnWriteArrayList<>()).add(here.name);
                if (index == 1) {
                    Thread.ofPlatform().daemon().start(here.orchestrator::close);
                    new CountDownLatch(1).await(); // until that close cancels it
                }
                return here.name;
            });
            return index == 1 ? builder.runtime(io.sweetasync.TaskRuntime.executor("inline", Runnable::run))
                    .defaultRuntime("inline") : builder;
        });
        cluster.set(test);
        TestCluster.Member a = test.busyFirst(); // a is busier: the next goes to b

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("closes-there").anywhere()
                .run("closes-its-member", "x");

        ClusterHostileTest.awaitTerminal(placed);
        assertThat(ran.get("x")).as("runs").containsExactly(test.get(1).name);
        assertThat(placed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(placed.info().failure().type()).isEqualTo("TaskLostException");
    }

    /**
     * Three members sharing a store, none claiming orphans; a durable "gated" task placed from a (made the busiest)
     * on another member, that member killed, and the handle on a waiting for the next run.
     */
    private SpawningTask<String> placedAndItsMemberKilled(String argument) throws InterruptedException {
        durable = DurableMembers.start(3, (index, builder) -> builder.handler("gated", String.class,
                any -> gated(any, index)));
        placedLog.addHandler(waitingSeen);
        TestCluster.Member a = durable.get(0);
        a.orchestrator.to(String.class).durable("first-holds", "busy").run(); // a is busier: the next goes elsewhere
        await().atMost(CEILING).until(() -> durable.holding.get() == 1);
        durable.views.forEach(CutOffStore::refuseClaims);
        SpawningTask<String> task = a.orchestrator.to(String.class).named(argument).durable("gated", argument).run();
        await().atMost(CEILING).until(() -> gatedRuns.containsKey(argument));
        String victim = gatedRuns.get(argument).getFirst();
        int victimIndex = durable.cluster.members.indexOf(durable.cluster.members.stream()
                .filter(member -> member.name.equals(victim)).findFirst().orElseThrow());
        assertThat(victimIndex).as("placed elsewhere").isNotZero();
        durable.kill(victimIndex);
        assertThat(waitingForNextRun.await(CEILING.toSeconds(), TimeUnit.SECONDS)).as("a's handle waits for the next "
                + "run").isTrue();
        return task;
    }

    /** The members other than a claim orphans again. */
    private void survivorsClaim() {
        durable.views.subList(1, durable.views.size()).forEach(CutOffStore::allowClaims);
    }

    /** The first run of an argument holds until the test ends; a later one until {@link #laterRunsGo}. */
    private String gated(String argument, int index) throws InterruptedException {
        String member = durable.get(index).name;
        List<String> ran = gatedRuns.computeIfAbsent(argument, any -> new CopyOnWriteArrayList<>());
        ran.add(member);
        if (ran.size() == 1) {
            released.await();
            return member;
        }
        laterRunStarted.countDown();
        try {
            laterRunsGo.await();
        }
        catch (InterruptedException ex) {
            laterRunInterrupted.countDown();
            throw ex;
        }
        return member;
    }
}
