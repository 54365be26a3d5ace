package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC section 7, member loss, read as text: "else ends {@code FAILED} with {@code TaskLostException} naming the
 * member; no caller waits forever" — also a caller that is already blocked when the member goes.
 */
@Timeout(120)
class ClusterLossSpecFromTextTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeEach
    void form() {
        test = TestCluster.start(3);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    /**
     * Callers blocked in every way of waiting a handle offers ({@code join()}, {@code get()}, a long
     * {@code get(timeout)}, {@code result()}, its {@code CompletableFuture}), and one waiting for a parent whose
     * body waits for the handle, when the member running the work is terminated: each is released with the
     * loss, naming the member.
     */
    @Test
    void callersAlreadyBlockedWhenTheMemberIsLostAreAllReleasedWithTheLoss() throws Exception {
        TestCluster.Member a = test.busyFirst();
        AtomicReference<SpawningTask<String>> inner = new AtomicReference<>();
        CountDownLatch placed = new CountDownLatch(1);
        SpawningTask<String> parent = a.orchestrator.to(String.class).named("parent").run(() -> {
            inner.set(a.orchestrator.to(String.class).named("inner").anywhere().run("hold", "x"));
            placed.countDown();
            return inner.get().join();
        });
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("doomed").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> placed.getCount() == 0 && test.heldCount() == 3);
        // the members that run the two placed tasks (one or two of them) are terminated
        List<String> remoteMembers = test.held.keySet().stream().filter(m -> !m.equals(a.name)).toList();
        assertThat(remoteMembers).as("placed on %s", test.held).isNotEmpty();

        ConcurrentHashMap<String, Throwable> thrown = new ConcurrentHashMap<>();
        List<Thread> waiters = new ArrayList<>();
        waiters.add(waiter("join", thrown, remote::join));
        waiters.add(waiter("get", thrown, remote::get));
        waiters.add(waiter("get(timeout)", thrown, () -> remote.get(1, TimeUnit.HOURS)));
        waiters.add(waiter("result", thrown, () -> {
            TaskResult<String> result = remote.result();
            if (result instanceof TaskResult.Err<String> err) {
                throw err.error();
            }
            return result;
        }));
        waiters.add(waiter("future", thrown, () -> remote.toCompletableFuture().get()));
        waiters.add(waiter("parent", thrown, parent::join));
        await().atMost(CEILING).until(() -> waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING));

        for (String member : remoteMembers) {
            test.members.stream().filter(m -> m.name.equals(member)).findFirst().orElseThrow().hazelcast
                    .getLifecycleService().terminate();
        }

        for (Thread waiter : waiters) {
            waiter.join(CEILING.toMillis());
            assertThat(waiter.isAlive()).as("%s still waits", waiter.getName()).isFalse();
        }
        for (String way : List.of("join", "get", "get(timeout)", "result", "future")) {
            Throwable error = thrown.get(way);
            Throwable lost = error instanceof ExecutionException ? error.getCause() : error;
            assertThat(lost).as(way).isInstanceOf(TaskLostException.class).hasMessageContaining("doomed");
            assertThat(lost.getMessage()).as(way).containsAnyOf(remoteMembers.toArray(String[]::new));
        }
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(thrown.get("parent")).isNotNull();
        assertThat(inner.get().status()).isEqualTo(TaskStatus.FAILED);
        assertThat(parent.status()).isEqualTo(TaskStatus.FAILED);
    }

    /**
     * {@code TaskOrchestrator.cancel(TaskId)} asks the cluster for a task that is not live here: once the
     * orchestrator is closed (detached from the cluster) it answers false, as for any unknown task, and throws
     * nothing; the others still cancel by id.
     */
    @Test
    void aClosedOrchestratorAnswersACancelByIdWithFalse() {
        TestCluster.Member b = test.get(1);
        TestCluster.Member c = test.get(2);
        SpawningTask<String> running = b.orchestrator.to(String.class).run(() -> test.hold("b"));
        await().atMost(CEILING).until(() -> test.heldCount() == 1);

        c.orchestrator.close();

        assertThat(c.orchestrator.cancel(running.id())).isFalse();
        assertThat(test.get(0).orchestrator.cancel(running.id())).isTrue();
        await().atMost(CEILING).until(() -> running.status() == TaskStatus.CANCELLED);
    }

    interface Wait {
        Object call() throws Exception;
    }

    private static Thread waiter(String name, ConcurrentHashMap<String, Throwable> thrown, Wait wait) {
        Thread thread = Thread.ofPlatform().name(name).start(() -> {
            try {
                Object value = wait.call();
                thrown.put(name, new AssertionError("returned " + value));
            }
            catch (Throwable error) {
                thrown.put(name, error);
            }
        });
        return thread;
    }
}
