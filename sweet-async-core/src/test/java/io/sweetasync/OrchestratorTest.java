package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.limit.RejectionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OrchestratorTest {

    private final List<TaskOrchestrator> toClose = new ArrayList<>();

    private TaskOrchestrator orchestrator(TaskOrchestrator.Builder builder) {
        TaskOrchestrator orchestrator = builder.build();
        toClose.add(orchestrator);
        return orchestrator;
    }

    @AfterEach
    void close() {
        toClose.forEach(TaskOrchestrator::close);
    }

    /** A root named {@code name} that returns 1 once {@code release} is counted down. */
    private static SpawningTask<Integer> untilReleased(TaskOrchestrator orchestrator, String name, CountDownLatch release) {
        return orchestrator.to(Integer.class).named(name).run(() -> {
            release.await();
            return 1;
        });
    }

    @Test
    void aRecordedRootIsTheSnapshotItHadWhenItFinished() throws Exception {
        // a root without children is recorded as its facts, its snapshot built when the history is read
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder().historySize(10));
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> blocker = untilReleased(orchestrator, "blocker", release);
        SpawningTask<Integer> waiting = orchestrator.to(Integer.class).named("waiting").after(blocker).run(() -> 3);
        waiting.cancel();
        release.countDown();
        SpawningTask<Integer> completed = orchestrator.to(Integer.class).named("completed").tag("k", "v").run(() -> {
            TaskContext.current().orElseThrow().progress("rows", () -> 7);
            return 1;
        });
        SpawningTask<Integer> failed = orchestrator.to(Integer.class).named("failed").run(() -> {
            throw new IllegalStateException("no");
        });
        List<SpawningTask<Integer>> roots = List.of(blocker, waiting, completed, failed);
        roots.forEach(SpawningTask::result);

        assertThat(waiting.info().startedAt()).as("never started").isNull();
        assertThat(failed.info().failure()).isNotNull();
        assertThat(completed.info().progress()).containsEntry("rows", 7L);
        for (SpawningTask<Integer> root : roots) {
            assertThat(orchestrator.recent()).contains(root.info());
            assertThat(orchestrator.find(root.id())).contains(root.info());
        }
    }

    @Test
    void findAndRootsShowLiveTasksAndRecentKeepsABoundedHistory() throws Exception {
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder().historySize(3));
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> running = untilReleased(orchestrator, "running", release);
        assertThat(orchestrator.find(running.id())).get().extracting(TaskInfo::name).isEqualTo("running");
        assertThat(orchestrator.roots()).extracting(TaskInfo::id).containsExactly(running.id());

        List<TaskId> finished = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("quick").run(() -> 2);
            task.join();
            finished.add(task.id());
        }
        assertThat(orchestrator.recent()).extracting(TaskInfo::id)
                .containsExactly(finished.get(4), finished.get(3), finished.get(2));
        assertThat(orchestrator.find(finished.get(4))).get().extracting(TaskInfo::status).isEqualTo(TaskStatus.COMPLETED);
        assertThat(orchestrator.find(finished.get(0))).as("fell out of the history").isEmpty();
        release.countDown();
        running.join();
        assertThat(orchestrator.roots()).isEmpty();
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void cancelById() throws Exception {
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder());
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(Blocking.untilInterrupted(started));
        started.await();
        assertThat(orchestrator.cancel(task.id())).isTrue();
        assertThatThrownBy(task::join).hasMessageContaining("cancelled through the orchestrator");
        assertThat(orchestrator.cancel(task.id())).as("no longer live").isFalse();
        assertThat(orchestrator.cancel(new TaskId(999_999))).isFalse();
    }

    @Test
    void childrenAreFoundCountedAndCancelledThroughTheirLiveRoot() throws Exception {
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<SpawningTask<Integer>> grandchild =
                new AtomicReference<>();
        AtomicReference<SpawningTask<Integer>> done =
                new AtomicReference<>();
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("root").run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            SpawningTask<Integer> quick = context.child(Integer.class).named("quick").run(() -> 1);
            quick.join();
            done.set(quick);
            SpawningTask<Integer> middle = context.child(Integer.class).named("middle").run(() -> {
                grandchild.set(TaskContext.current().orElseThrow().child(Integer.class).named("leaf")
                        .run(Blocking.untilInterrupted(started)));
                release.await();
                return 2;
            });
            return middle.join();
        });
        started.await();
        // The leaf may start before run() has handed its handle back to the middle's body.
        await().alias("the leaf's handle").atMost(Duration.ofSeconds(10)).until(() -> grandchild.get() != null);
        TaskId leaf = grandchild.get().id();

        assertThat(orchestrator.find(leaf)).get().extracting(TaskInfo::path).isEqualTo("root#1/middle#3/leaf#4");
        assertThat(orchestrator.find(done.get().id())).as("a finished child of a live root")
                .get().extracting(TaskInfo::status).isEqualTo(TaskStatus.COMPLETED);
        assertThat(orchestrator.liveTasks()).extracting(TaskInfo::name).containsExactly("root", "middle", "leaf");
        assertThat(orchestrator.liveCount()).isEqualTo(3);
        assertThat(orchestrator.roots()).extracting(TaskInfo::id).containsExactly(root.id());

        assertThat(orchestrator.cancel(leaf)).isTrue();
        assertThat(grandchild.get().result()).isInstanceOf(TaskResult.Err.class);
        assertThat(grandchild.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(orchestrator.find(root.id())).get().extracting(TaskInfo::status).isEqualTo(TaskStatus.RUNNING);
        release.countDown();
        assertThat(root.join()).isEqualTo(2);
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(orchestrator.liveTasks()).isEmpty();
        assertThat(orchestrator.cancel(leaf)).as("no longer live").isFalse();
    }

    @Test
    void listenersSeeEveryLifecycleEventAndAThrowingOneBreaksNothing() {
        List<String> events = new CopyOnWriteArrayList<>();
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder()
                .listener(new TaskListener() {
                    @Override
                    public void onCreated(TaskInfo task) {
                        throw new IllegalStateException("listener bug");
                    }

                    @Override
                    public void onFinished(TaskInfo task) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .listener(new TaskListener() {
                    @Override
                    public void onCreated(TaskInfo task) {
                        events.add("created " + task.status());
                    }

                    @Override
                    public void onQueued(TaskInfo task) {
                        events.add("queued " + task.status());
                    }

                    @Override
                    public void onStarted(TaskInfo task) {
                        events.add("started " + task.attempts());
                    }

                    @Override
                    public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                        events.add("retrying " + error.getMessage() + " in " + delay);
                    }

                    @Override
                    public void onFinished(TaskInfo task) {
                        events.add("finished " + task.status());
                    }
                }));
        int[] calls = new int[1];
        String value = orchestrator.to(String.class).retry(RetryPolicy.fixed(1, Duration.ofMillis(1))).await(() -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("first");
            }
            return "second";
        });
        assertThat(value).isEqualTo("second");
        assertThat(events).containsExactly("created PENDING", "queued QUEUED", "started 1", "retrying first in PT0.001S",
                "started 2", "finished COMPLETED");
    }

    /** A listener that overrides its events in a sub-interface's defaults. */
    interface Recording extends TaskListener {

        List<String> events();

        @Override
        default void onCreated(TaskInfo task) {
            events().add("created");
        }

        @Override
        default void onQueued(TaskInfo task) {
            events().add("queued");
        }
    }

    /** One that overrides in a superclass. */
    static class StartedRecorder implements TaskListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onStarted(TaskInfo task) {
            events.add("started");
        }
    }

    /**
     * Events are built only for listeners that override them, so how an override is found matters: one in
     * a sub-interface's default, in a superclass, or behind a dynamic proxy is called like one in the
     * listener's own class; a listener added or removed later changes which events are built.
     */
    @Test
    void listenersOverridingThroughInterfacesSuperclassesOrProxiesAreCalled() {
        List<String> viaInterface = new CopyOnWriteArrayList<>();
        List<String> viaProxy = new CopyOnWriteArrayList<>();
        TaskListener proxy = (TaskListener) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { TaskListener.class }, (self, method, arguments) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("equals") ? self == arguments[0]
                                : method.getName().equals("hashCode") ? System.identityHashCode(self) : "proxy";
                    }
                    viaProxy.add(method.getName());
                    return null;
                });
        StartedRecorder inherited = new StartedRecorder() {
        };
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder()
                .listener((Recording) () -> viaInterface).listener(proxy));
        orchestrator.addListener(inherited);
        orchestrator.to(String.class).await(() -> "done");
        assertThat(viaInterface).containsExactly("created", "queued");
        assertThat(viaProxy).containsExactly("onCreated", "onQueued", "onStarted", "onFinished");
        assertThat(inherited.events).containsExactly("started");

        assertThat(orchestrator.removeListener(proxy)).isTrue();
        orchestrator.to(String.class).await(() -> "again");
        assertThat(viaProxy).as("removed: told nothing more").hasSize(4);
        assertThat(viaInterface).containsExactly("created", "queued", "created", "queued");
        assertThat(inherited.events).containsExactly("started", "started");
    }

    @Test
    void shutdownWaitsForRunningWorkAndRejectsNewRoots() throws Exception {
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> running = orchestrator.to(Integer.class).run(() -> {
            started.countDown();
            release.await();
            return TaskContext.current().orElseThrow().runChild(() -> 41).join() + 1;
        });
        started.await();
        Thread releaser = Thread.ofVirtual().start(() -> {
            while (orchestrator.isAccepting()) {
                Thread.onSpinWait();
            }
            release.countDown();
        });
        assertThat(orchestrator.shutdown(Duration.ofSeconds(30))).isTrue();
        releaser.join();
        assertThat(running.join()).as("children of running work are still admitted").isEqualTo(42);
        SpawningTask<Integer> late = orchestrator.to(Integer.class).run(() -> 1);
        assertThatThrownBy(late::join).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("the orchestrator is shutting down")
                .extracting(ex -> ((TaskRejectedException) ex).reason()).isEqualTo(RejectionReason.SHUTDOWN);
    }

    @Test
    void shutdownCancelsWhatOutlivesTheGrace() throws Exception {
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder());
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> stuck = orchestrator.to(Integer.class).run(Blocking.untilInterrupted(started));
        started.await();
        assertThat(orchestrator.shutdown(Duration.ofMillis(50))).isFalse();
        assertThat(stuck.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThatThrownBy(stuck::join).hasMessageContaining("the orchestrator shut down before it finished");
    }

    @Test
    void closeLeavesNoThreadBehind() {
        Set<String> before = sweetThreads();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("extra", 2)).build();
        for (String runtime : List.of("virtual", "platform", "single", "extra")) {
            orchestrator.to(String.class).runtime(runtime).timeout(Duration.ofMinutes(1)).await(() -> runtime);
        }
        orchestrator.to(Integer.class).run(Blocking.untilInterrupted());
        assertThat(sweetThreads()).isNotEqualTo(before);
        orchestrator.close();
        assertThat(sweetThreads()).isEqualTo(before);
        assertThat(orchestrator.liveCount()).isZero();
    }

    /**
     * Bodies that ignore the close's interrupt hold their threads: close() waits its 5 s for them after the cancel,
     * then returns (it used to wait 10 s more for each runtime whose thread such a body held: 25 s here). Their
     * threads end once the bodies return.
     */
    @Test
    void closeDoesNotWaitAgainForBodiesThatIgnoreItsInterrupt() throws Exception {
        Set<String> before = sweetThreads();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("extra", 2)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        for (String runtime : List.of("platform", "extra")) {
            orchestrator.to(Integer.class).runtime(runtime).run(() -> {
                started.countDown();
                while (true) {
                    try {
                        release.await();
                        return 1;
                    }
                    catch (InterruptedException ignored) {
                        // a body that will not stop
                    }
                }
            });
        }
        started.await();
        long start = System.nanoTime();
        orchestrator.close();
        long took = System.nanoTime() - start;
        release.countDown();
        assertThat(Duration.ofNanos(took)).as("close() with two stuck bodies on two runtimes").isLessThan(Duration.ofSeconds(12));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sweetThreads()).isEqualTo(before));
    }

    /** A body that ignores its interrupt until {@code release}. */
    private static Callable<Integer> stubborn(CountDownLatch started, CountDownLatch release) {
        return () -> {
            started.countDown();
            while (true) {
                try {
                    release.await();
                    return 1;
                }
                catch (InterruptedException ignored) {
                    // a body that will not stop
                }
            }
        };
    }

    /**
     * A shutdown that gave up on a body ignoring its interrupt (after its 5 s) is not followed by a close that waits
     * 5 s more for the same body (the starter calls both: a context's stop, then the bean's close).
     */
    @Test
    void closeDoesNotWaitAgainForBodiesAShutdownGaveUpOn() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        orchestrator.to(Integer.class).run(stubborn(started, release));
        try {
            started.await();
            assertThat(orchestrator.shutdown(Duration.ZERO)).isFalse(); // waits its 5 s for the stubborn body
            long start = System.nanoTime();
            orchestrator.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close() after the shutdown gave up")
                    .isLessThan(Duration.ofSeconds(4));
        }
        finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.liveCount() == 0);
    }

    /** Nor does a close wait 10 s for a runaway's thread (a timed-out body that ignores the interrupt). */
    @Test
    void closeDoesNotWaitForARunawaysThread() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> runaway = orchestrator.to(Integer.class).runtime("platform")
                .timeout(Duration.ofMillis(50)).run(stubborn(started, release));
        try {
            started.await();
            await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.runawayCount() == 1);
            assertThat(runaway.status()).isEqualTo(TaskStatus.TIMED_OUT);
            long start = System.nanoTime();
            orchestrator.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close() with a runaway")
                    .isLessThan(Duration.ofSeconds(4));
        }
        finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.runawayCount() == 0);
    }

    private static Set<String> sweetThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("sweet-async-"))
                .collect(Collectors.toSet());
    }

    @Test
    void globalCanBeReplacedAndRestored() {
        TaskOrchestrator mine = orchestrator(TaskOrchestrator.builder());
        TaskOrchestrator previous = TaskOrchestrator.setGlobal(mine);
        try {
            assertThat(TaskOrchestrator.global()).isSameAs(mine);
            SpawningTask<String> task = AsyncTask.to(String.class).run(() -> "x");
            task.join();
            assertThat(mine.find(task.id())).isPresent();
        }
        finally {
            TaskOrchestrator.setGlobal(previous);
        }
    }

    @Test
    void defaultsApplyToTasksThatSetNothing() {
        TaskOrchestrator orchestrator = orchestrator(TaskOrchestrator.builder()
                .defaultRuntime("single")
                .defaultRetry(RetryPolicy.fixed(2, Duration.ZERO))
                // long enough for three instant attempts on a loaded machine; the slow task below waits it out
                .defaultTimeout(Duration.ofMillis(500)));
        SpawningTask<Integer> retried = orchestrator.to(Integer.class).run(() -> {
            throw new IllegalStateException("x");
        });
        assertThat(retried.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(retried.info().attempts()).isEqualTo(3);
        assertThat(retried.info().runtime()).isEqualTo("single");
        SpawningTask<Integer> slow = orchestrator.to(Integer.class).run(Blocking.untilInterrupted());
        assertThatThrownBy(slow::join).isInstanceOf(TaskTimeoutException.class);
    }
}
