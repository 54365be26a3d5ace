package io.sweetasync.hazelcast;

import static io.sweetasync.hazelcast.ClusterHostileTest.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RemoteTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.hazelcast.ClusterHostileTest.Poison;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile tests of {@link ClusterHostileTest} (same handlers, same promises) that neither stop a member
 * nor close or replace an orchestrator: they share one cluster, formed once, and each starts from the state
 * of a cluster just formed: {@link TestCluster#settle()} after every test releases what it held, waits until
 * no member runs anything and every member's published load says so, and arms fresh latches.
 *
 * <p>Each test first makes member 0 busy with one held task, so that (ties going to the placing member) its
 * next placements go to another member.
 */
@Timeout(150)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterHostileSharedClusterTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeAll
    void form() {
        test = TestCluster.start(3, ClusterHostileTest::handlers);
    }

    @AfterEach
    void settle() {
        test.settle();
    }

    @AfterAll
    void stop() {
        test.close();
    }


    private TestCluster.Member memberNamed(String name) {
        return test.members.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    // ---- broken promises --------------------------------------------------------------------------------

    /**
     * A value that serializes there but cannot be read here, sent in the end message (the task ran past the
     * 2 ms inline window): the message cannot be read, so it is never run, and the handle would wait forever.
     */
    @Test
    void aValueThatCannotBeReadHereFailsTheHandleWhenItComesInAMessage() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> remote = a.orchestrator.to(Object.class).anywhere().run("poison-later", "x");
        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getCause())
                .isInstanceOfSatisfying(RemoteTaskException.class, cause -> assertThat(cause)
                        .hasMessageContaining("could not be read")));
    }

    // ---- promises that held -----------------------------------------------------------------------------

    @Test
    void aValueThatCannotBeReadHereFailsTheHandleWhenItComesInTheStartsAnswer() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> remote = a.orchestrator.to(Object.class).anywhere().run("poison-now", "x");
        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getCause())
                .isInstanceOf(RemoteTaskException.class));
    }

    @Test
    void anArgumentThatCannotBeReadThereFailsTheHandle() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> remote = a.orchestrator.to(Object.class).anywhere().run("echo", new Poison());
        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getCause())
                .isInstanceOf(RemoteTaskException.class));
    }

    @Test
    void aRemoteExceptionWhoseMessageThrowsAndThatCannotBeSerializedStillFailsTheHandle() {
        TestCluster.Member a = test.busyFirst();
        for (String handler : List.of("hostile-now", "hostile-later")) {
            SpawningTask<String> remote = a.orchestrator.to(String.class).named(handler).anywhere().run(handler, "x");
            awaitTerminal(remote);
            assertThat(remote.status()).as(handler).isEqualTo(TaskStatus.FAILED);
            assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> {
                assertThat(err.error()).isInstanceOf(TaskFailedException.class).hasMessageContaining(handler);
                assertThat(err.error().getCause()).isInstanceOfSatisfying(RemoteTaskException.class,
                        cause -> assertThat(cause.remoteType()).contains("HostileException"));
            });
        }
        await().atMost(CEILING).until(() -> test.get(1).orchestrator.liveCount() == 0
                && test.get(2).orchestrator.liveCount() == 0);
    }

    @Test
    void aNullArgumentAndANullValueTravelBothWays() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> now = a.orchestrator.to(Object.class).anywhere().run("null-now", null);
        SpawningTask<String> later = a.orchestrator.to(String.class).anywhere().run("null-later", null);
        assertThat(now.result()).isEqualTo(new TaskResult.Ok<>(null));
        assertThat(later.result()).isEqualTo(new TaskResult.Ok<>(null));
        assertThat(now.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(later.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void aTimeoutOnTheHandleCancelsTheWorkThereInterruptingItsBody() {
        TestCluster.Member a = test.busyFirst();
        // the deadline runs from submission: on a loaded machine it can pass before the work has been placed and
        // its body started there (then no body is interrupted), so such a run is repeated with a deadline twice as
        // long until a body ran
        SpawningTask<String> remote = null;
        for (Duration timeout = Duration.ofMillis(500); remote == null || test.heldCount() < 2;
                timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the remote body could not reach").isLessThan(Duration.ofSeconds(30));
            remote = a.orchestrator.to(String.class).named("late").timeout(timeout).anywhere().run("hold", "x");
            awaitTerminal(remote);
            assertThat(remote.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        await().atMost(CEILING).until(() -> test.get(1).orchestrator.liveCount() == 0
                && test.get(2).orchestrator.liveCount() == 0);
    }

    @Test
    void cancellingTheHandleByIdFromAThirdMemberInterruptsTheRemoteBody() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> remote = a.orchestrator.to(String.class).anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        String ranOn = test.held.keySet().stream().filter(m -> !m.equals(a.name)).findFirst().orElseThrow();
        TestCluster.Member third = test.members.stream().filter(m -> m != a && !m.name.equals(ranOn)).findFirst()
                .orElseThrow();

        assertThat(third.cluster.cancel(remote.id())).isTrue();
        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.CANCELLED);
        await().atMost(CEILING).until(() -> memberNamed(ranOn).orchestrator.liveCount() == 0);
        assertThat(third.cluster.cancel(remote.id())).isFalse();
        assertThat(third.cluster.cancel(TaskId.of(999_999, 1))).isFalse();
    }

    @Test
    void cancellingThePlacingTasksParentCancelsTheWorkThere() {
        TestCluster.Member a = test.busyFirst();
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        CountDownLatch placed = new CountDownLatch(1);
        SpawningTask<String> parent = a.orchestrator.to(String.class).named("parent").run(() -> {
            child.set(a.orchestrator.to(String.class).named("placed-child").anywhere().run("hold", "x"));
            placed.countDown();
            return child.get().join();
        });
        await().atMost(CEILING).until(() -> placed.getCount() == 0 && test.heldCount() == 2);
        assertThat(parent.cancel()).isTrue();
        await().atMost(CEILING).until(() -> test.interrupted.getCount() == 0);
        awaitTerminal(child.get());
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        await().atMost(CEILING).until(() -> test.get(1).orchestrator.liveCount() == 0
                && test.get(2).orchestrator.liveCount() == 0);
    }

    @Test
    void cancelsRacingTheInlineAnswerGiveEveryHandleOneHonestStatus() {
        TestCluster.Member a = test.busyFirst();
        List<SpawningTask<String>> handles = new ArrayList<>();
        List<Boolean> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            SpawningTask<String> handle = a.orchestrator.to(String.class).anywhere().run("where", "x");
            for (int spin = 0; spin < i * 50; spin++) {
                Thread.onSpinWait();
            }
            handles.add(handle);
            answers.add(handle.cancel());
        }
        for (int i = 0; i < handles.size(); i++) {
            SpawningTask<String> handle = handles.get(i);
            awaitTerminal(handle);
            assertThat(handle.status()).isIn(TaskStatus.CANCELLED, TaskStatus.COMPLETED);
            assertThat(answers.get(i)).as("cancel() of handle %d", i).isEqualTo(handle.status() == TaskStatus.CANCELLED);
        }
        await().atMost(CEILING).until(() -> test.get(1).orchestrator.liveCount() == 0
                && test.get(2).orchestrator.liveCount() == 0);
    }

    @Test
    void theRemoteTaskIsTaggedAndItsViewShowsTheHandle() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("far").tag("k", "v").anywhere()
                .run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        List<TaskInfo> placed = test.members.stream().filter(m -> m != a).flatMap(m -> m.orchestrator.roots().stream())
                .filter(root -> (a.name + "/" + remote.id()).equals(root.tags().get("placed-from"))).toList();
        assertThat(placed).singleElement().satisfies(info -> {
            assertThat(info.name()).isEqualTo("far");
            assertThat(info.tags()).containsEntry("k", "v");
        });
        remote.cancel();
        awaitTerminal(remote);
    }

    @Test
    void aValueThatCannotBeSentInTheEndMessageFailsTheHandleSayingWhy() {
        TestCluster.Member a = test.busyFirst();
        SpawningTask<Object> remote = a.orchestrator.to(Object.class).anywhere().run("opaque-later", "x");
        awaitTerminal(remote);
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error().getCause())
                .isInstanceOfSatisfying(RemoteTaskException.class, cause -> assertThat(cause)
                        .hasMessageContaining("could not be sent back")));
    }

    @Test
    void aRetryPlacesTheWorkAgainAfterARemoteFailure() {
        TestCluster.Member a = test.busyFirst();
        String key = "retry-" + System.nanoTime();
        SpawningTask<String> remote = a.orchestrator.to(String.class).retry(RetryPolicy.fixed(2, Duration.ofMillis(10)))
                .anywhere().run("flaky", key);
        assertThat(remote.join()).isEqualTo("ok");
        assertThat(remote.info().attempts()).isEqualTo(2);
        assertThat(ClusterHostileTest.FLAKY.get(key).get()).isEqualTo(2);
    }

    /** A deadline that lands at any moment of a placement (deciding, sending, awaiting the answer, running). */
    @Test
    void tinyTimeoutsLeaveNoRemoteBodyRunningWhateverMomentTheyLandAt() {
        TestCluster.Member a = test.busyFirst();
        List<SpawningTask<String>> handles = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            handles.add(a.orchestrator.to(String.class).timeout(Duration.ofNanos(1 + i * 100_000L)).anywhere()
                    .run("hold", "x"));
        }
        for (SpawningTask<String> handle : handles) {
            awaitTerminal(handle);
            assertThat(handle.status()).isIn(TaskStatus.TIMED_OUT, TaskStatus.CANCELLED);
        }
        // What stays is a's first task: a handle and the child running its work there.
        await().atMost(CEILING).untilAsserted(() -> assertThat(test.members.stream()
                .map(m -> m.orchestrator.liveCount()).toList())
                .as(() -> test.members.stream().map(m -> m.orchestrator.roots().toString()).toList().toString())
                .containsExactly(2, 0, 0));
    }

    /** The handle on a one-thread runtime, its work placed on this member: it waits for a child on that runtime. */
    @Test
    void aPlacementFromASingleThreadRuntimeThatLandsHereStillRuns() {
        TestCluster.Member a = test.get(0);
        List<SpawningTask<String>> handles = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            handles.add(a.orchestrator.to(String.class).runtime("single").anywhere().run("where", "x"));
        }
        for (SpawningTask<String> handle : handles) {
            assertThat(handle.join()).isIn(test.get(0).name, test.get(1).name, test.get(2).name);
        }
    }

    @Test
    void aLargeArgumentAndValueTravelAndTheGroupAndPriorityGoAlong() {
        TestCluster.Member a = test.busyFirst();
        byte[] large = new byte[8 * 1024 * 1024];
        large[large.length - 1] = 42;
        Object echoed = a.orchestrator.to(Object.class).anywhere().await("echo", large);
        assertThat(echoed).isInstanceOf(byte[].class);
        assertThat((byte[]) echoed).hasSize(large.length).endsWith(42);

        SpawningTask<String> remote = a.orchestrator.to(String.class).named("grouped").group("g")
                .priority(io.sweetasync.TaskPriority.HIGH).anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        TaskInfo placed = test.members.stream().filter(m -> m != a).flatMap(m -> m.orchestrator.roots().stream())
                .filter(root -> root.name().equals("grouped")).findFirst().orElseThrow();
        assertThat(placed.group()).isEqualTo("g");
        assertThat(placed.priority()).isEqualTo(io.sweetasync.TaskPriority.HIGH);
        remote.cancel();
        awaitTerminal(remote);
    }

    @Test
    void anErrorThrownByTheRemoteBodyFailsTheHandle() {
        TestCluster.Member a = test.busyFirst();
        for (String handler : List.of("error-now", "error-later")) {
            SpawningTask<String> remote = a.orchestrator.to(String.class).named(handler).anywhere().run(handler, "x");
            awaitTerminal(remote);
            assertThat(remote.status()).as(handler).isEqualTo(TaskStatus.FAILED);
            assertThat(remote.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(TaskFailedException.class).hasMessageContaining(handler));
        }
        await().atMost(CEILING).until(() -> test.get(1).orchestrator.liveCount() == 0
                && test.get(2).orchestrator.liveCount() == 0);
    }
}
