package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Round 3 of the hostile review of the cluster: stale views, remote refusals, racing ends. */
@Timeout(150)
class ClusterRound3Test {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private DurableMembers durable;
    private TestCluster test;

    @AfterEach
    void stop() {
        if (durable != null) {
            durable.close();
        }
        if (test != null) {
            test.close();
        }
    }

    /**
     * A durable task placed on b, whose member is killed: its handle on a waits for the next run, which nobody has
     * claimed yet (b's lease has not lapsed), and its user cancels it then (true). Nothing recorded the cancellation:
     * once b's lease lapsed a member claimed the invocation and ran it again, to completion, though its caller had
     * cancelled it and was told so. A durable task whose handle was cancelled must not run again.
     */
    @Test
    void aPlacedDurableTaskCancelledWhileItWaitsForItsNextRunIsNotRunAgain() {
        durable = DurableMembers.start(2);
        TestCluster.Member a = durable.get(0);
        a.orchestrator.to(String.class).durable("first-holds", "busy").run(); // a is busier: the next goes to b
        await().atMost(CEILING).until(() -> durable.holding.get() == 1);
        durable.views.get(0).refuseClaims(); // nobody claims the invocation before the cancel
        SpawningTask<String> task = a.orchestrator.to(String.class).named("cancelled").durable("first-holds", "victim")
                .run();
        await().atMost(CEILING).until(() -> durable.holding.get() == 2);
        assertThat(durable.runs.get("victim")).containsExactly(durable.get(1).name);
        durable.kill(1);
        await().atMost(CEILING).until(() -> a.hazelcast.getCluster().getMembers().size() == 1);

        assertThat(task.cancel(true)).isTrue();

        await().atMost(CEILING).alias("the invocation ends cancelled in the store, for nobody to claim")
                .until(() -> durable.store.durable(task.id()).orElseThrow().status().equals("CANCELLED"));
        await().atMost(CEILING).alias("its history says so too")
                .until(() -> durable.store.find(task.id()).orElseThrow().status().equals("CANCELLED"));
        durable.views.get(0).allowClaims();
        int renewals = durable.views.get(0).claimLooks.get();
        await().atMost(CEILING).alias("a looked for orphans twice").until(() -> durable.views.get(0).claimLooks.get()
                >= renewals + 2);
        assertThat(durable.runs.get("victim")).as("runs").hasSize(1);
    }

    /** Runs of "hold-each" by member; each holds until interrupted (or the test ends). */
    private static final Map<String, List<String>> HOLD_EACH = new ConcurrentHashMap<>();
    private static final CountDownLatch HOLD_EACH_RELEASE = new CountDownLatch(1);
    private static final CountDownLatch HOLD_EACH_INTERRUPTED = new CountDownLatch(1);

    /**
     * A durable task placed on b, whose member is killed; c claims it once b's lease lapsed and runs it again, and
     * the caller cancels its handle on a while that re-run holds. The handle's wait for the next run sent the
     * cancellation through the cluster's cancel by id, which asks this member first: it found the handle itself
     * (cancelled, not yet terminal), answered true and asked nobody else, so c's run went on.
     */
    @Test
    void aPlacedDurableTaskCancelledWhileAnotherMemberRunsItAgainIsCancelledThere() throws InterruptedException {
        durable = DurableMembers.start(3, (index, builder) -> builder.handler("hold-each", String.class, argument -> {
            String member = durable.get(index).name;
            HOLD_EACH.computeIfAbsent(argument, any -> new CopyOnWriteArrayList<>()).add(member);
            try {
                HOLD_EACH_RELEASE.await();
            }
            catch (InterruptedException ex) {
                HOLD_EACH_INTERRUPTED.countDown();
                throw ex;
            }
            return member;
        }));
        TestCluster.Member a = durable.get(0);
        a.orchestrator.to(String.class).durable("first-holds", "busy").run(); // a is busier: the next goes elsewhere
        await().atMost(CEILING).until(() -> durable.holding.get() == 1);
        durable.views.get(0).refuseClaims(); // the survivor, not a, claims the re-run
        SpawningTask<String> task = a.orchestrator.to(String.class).named("re-run").durable("hold-each", "twice").run();
        await().atMost(CEILING).until(() -> HOLD_EACH.containsKey("twice"));
        String victim = HOLD_EACH.get("twice").getFirst();
        int victimIndex = durable.cluster.members.indexOf(memberNamed(durable.cluster, victim));
        durable.kill(victimIndex);
        await().atMost(CEILING).alias("the survivor runs it again").until(() -> HOLD_EACH.get("twice").size() == 2);

        assertThat(task.cancel(true)).isTrue();

        try {
            assertThat(HOLD_EACH_INTERRUPTED.await(CEILING.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                    .as("the survivor's run is interrupted").isTrue();
            await().atMost(CEILING).alias("the invocation ends cancelled in the store")
                    .until(() -> durable.store.durable(task.id()).orElseThrow().status().equals("CANCELLED"));
        }
        finally {
            HOLD_EACH_RELEASE.countDown();
        }
    }

    /**
     * A member turned a placement away (its orchestrator had closed; the load others see is from before) and is
     * passed over "until it publishes again". But this member's own next publication brought every load of the
     * replicated map back into its view, the stale one too (it stays there until its time to live, 10 s or more): the
     * member that cannot take work was a candidate again, chosen and refusing the next placements.
     */
    @Test
    void aMemberThatTurnedWorkAwayStaysPassedOverUntilItPublishesAgain() {
        test = TestCluster.start(2);
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        a.orchestrator.to(String.class).run(() -> test.hold(a.name));
        await().atMost(CEILING).until(() -> test.heldCount() == 1);
        Member aMember = a.hazelcast.getCluster().getLocalMember();
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        MemberLoad before = TestCluster.ownLoad(b);
        b.orchestrator.close();
        TestCluster.putStale(a, bMember, before); // a sees b's load from before

        SpawningTask<String> placed = a.orchestrator.to(String.class).anywhere().run("where", "x");
        ClusterHostileTest.awaitTerminal(placed);
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));

        java.util.concurrent.atomic.AtomicInteger publications = new java.util.concurrent.atomic.AtomicInteger();
        a.hazelcast.<UUID, MemberLoad>getReplicatedMap(MemberLoads.MAP).addEntryListener(
                new com.hazelcast.core.EntryAdapter<>() {
                    @Override
                    public void onEntryEvent(com.hazelcast.core.EntryEvent<UUID, MemberLoad> event) {
                        publications.incrementAndGet();
                    }
                }, aMember.getUuid());
        await().atMost(CEILING).alias("a published its load three times").until(() -> publications.get() >= 3);
        assertThat(a.cluster.loads().isCandidate(bMember)).as("b, which turned work away and published nothing since")
                .isFalse();
    }

    /**
     * Member b's orchestrator begins to shut down between its check that it takes the handler's work and the start of
     * the task (here: from an {@code onCreated} listener, which runs before the task is admitted). The task was
     * rejected there, never run, and the caller's handle ended {@code FAILED} ({@code RemoteTaskException:
     * TaskRejectedException ... shutting down}) though a could run it: it must be placed again, as a member that
     * turned the work away at the check is.
     */
    @Test
    void workRejectedByAMemberThatBeganToShutDownAsItStartedIsPlacedAgain() {
        java.util.concurrent.atomic.AtomicReference<TestCluster> cluster = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        test = TestCluster.start(2, (index, builder) -> index == 0 ? builder : builder.listener(new io.sweetasync.TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                if (task.tags().containsKey("placed-from") && armed.compareAndSet(true, false)) {
                    TestCluster.Member b = cluster.get().get(1);
                    Thread.ofPlatform().daemon().start(() -> b.orchestrator.shutdown(Duration.ofMinutes(1)));
                    await().atMost(CEILING).until(() -> !b.orchestrator.isAccepting());
                }
            }
        }));
        cluster.set(test);
        TestCluster.Member a = test.busyFirst(); // a is busier: the next goes to b
        armed.set(true);

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("as-b-stops").anywhere().run("where", "x");

        ClusterHostileTest.awaitTerminal(placed);
        assertThat(armed).as("b began to shut down as the task was created there").isFalse();
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));
    }

    private static TestCluster.Member memberNamed(TestCluster cluster, String name) {
        return cluster.members.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    private TestCluster.Member memberNamed(String name) {
        return test.members.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    /**
     * SPEC 7: the handle's metrics are the work's figures where it ran, once it ended. A value that cannot be sent
     * back in the end message (the task ran past the inline window) turns into a {@code FAILED} outcome saying so;
     * that outcome went without the work's figures (the start's answer keeps them in the same case), so the handle
     * answered its own figures, the time it waited.
     */
    @Test
    void aValueThatCannotBeSentBackStillBringsTheWorksMetrics() {
        test = TestCluster.start(2, ClusterHostileTest::handlers);
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> remote = a.orchestrator.to(Object.class).anywhere().run("opaque-later", "x");
        ClusterHostileTest.awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);

        TestCluster.Member there = test.get(1);
        await().atMost(CEILING).until(() -> there.orchestrator.liveCount() == 0);
        TaskInfo work = there.orchestrator.recent().stream()
                .filter(info -> (a.name + "/" + remote.id()).equals(info.tags().get("placed-from")))
                .findFirst().orElseThrow();
        assertThat(remote.metrics().runTime()).isEqualTo(work.metrics().runTime());
        assertThat(remote.metrics().queueWait()).isEqualTo(work.metrics().queueWait());
    }

    /**
     * Cancel by id from a third member racing the natural end of work placed from a on b: every handle ends with one
     * honest status (the cancel said true: cancelled; false: completed), and no body is left running there.
     */
    @Test
    void aCancelByIdFromAThirdMemberRacingTheNaturalEndGivesOneHonestStatus() {
        test = TestCluster.start(3, (index, builder) -> builder.handler("brief", String.class, any -> {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000));
            return "done";
        }));
        TestCluster.Member a = test.busyFirst();
        for (int round = 0; round < 30; round++) {
            SpawningTask<String> placed = a.orchestrator.to(String.class).anywhere().run("brief", "x");
            TestCluster.Member canceller = test.get(1 + round % 2);
            boolean cancelled = canceller.cluster.cancel(placed.id());
            ClusterHostileTest.awaitTerminal(placed);
            assertThat(placed.status()).as("round %d, cancel answered %s", round, cancelled)
                    .isEqualTo(cancelled ? TaskStatus.CANCELLED : TaskStatus.COMPLETED);
        }
        for (TestCluster.Member member : test.members) {
            await().atMost(CEILING).until(() -> member == a ? member.orchestrator.liveCount() <= 2
                    : member.orchestrator.liveCount() == 0);
        }
    }

    /**
     * Member b's orchestrator is closed while its Hazelcast member stays, and a's view of it is from before: a
     * stores a durable task owned by b's (closed) incarnation and starts it there. The start found no orchestrator
     * on b, and the handle ended {@code FAILED} ({@code could not be started there: IllegalStateException}) though
     * nothing ran and the stored invocation, still pending, would run later anyway. It must run (here) and the
     * handle must follow it.
     */
    @Test
    void aDurableTaskPlacedOnAMemberWhoseOrchestratorHasClosedRunsAndItsHandleFollows() {
        durable = DurableMembers.start(2, Duration.ofMinutes(3));
        TestCluster.Member a = durable.get(0);
        TestCluster.Member b = durable.get(1);
        a.orchestrator.to(String.class).run(() -> durable.cluster.hold(a.name));
        await().alias("a body held on a").atMost(CEILING).until(() -> durable.cluster.heldCount() == 1);
        Member bMember = b.hazelcast.getCluster().getLocalMember();
        MemberLoad before = TestCluster.ownLoad(b);
        b.orchestrator.close();
        TestCluster.putStale(a, bMember, before); // a sees b's load from before

        SpawningTask<String> placed = a.orchestrator.to(String.class).named("durable-after-close").durable("where", "x")
                .run();

        await().alias("the durable task placed on the closed member ends").atMost(CEILING).until(placed::isDone);
        assertThat(placed.result()).isEqualTo(new TaskResult.Ok<>(a.name));
    }
}
