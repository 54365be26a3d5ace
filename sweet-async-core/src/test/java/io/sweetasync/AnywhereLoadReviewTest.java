package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of b22a0d27: an anywhere() handle is counted in {@code placing} from its creation until
 * {@code whenTerminal}, which runs after {@code LiveTasks.finished} (FinishedTasks) and after the handle's
 * onFinished listeners, its dependents' actions and its futures' callbacks: in that window liveTasks() is one
 * short per ending handle (real load is under-reported).
 */
@Timeout(30)
class AnywhereLoadReviewTest {

    /** Places everything elsewhere, done at once; records this member's load at each decision, by task name. */
    static final class RecordingCluster extends QuietCluster {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final CountDownLatch secondDecided = new CountDownLatch(1);
        volatile ClusterHost host;

        @Override
        public void attach(ClusterHost host) {
            this.host = host;
        }

        @Override
        public long incarnation() {
            return 5;
        }

        @Override
        public PlacedTask place(RemoteInvocation invocation) {
            seen.add(invocation.name() + "=" + host.liveTasks());
            if (invocation.name().equals("second")) {
                secondDecided.countDown();
            }
            RemoteOutcome done = RemoteOutcome.of("there:2", "7-1", TaskStatus.COMPLETED, "HI", null, null);
            return new PlacedTask() {
                @Override
                public String member() {
                    return "there:2";
                }

                @Override
                public RemoteOutcome await() {
                    return done;
                }

                @Override
                public RemoteOutcome await(Duration timeout) {
                    return done;
                }

                @Override
                public void cancel() {
                }
            };
        }
    }

    /**
     * One task runs here (real load 1) the whole time. A decision taken while another handle's end is being
     * recorded (here: from its onFinished listener; equally any decision on another thread in that window) must
     * still see that task. Before b22a0d27 the handle's count was given back in its body's finally, before
     * LiveTasks.finished: the window over-reported (1 too many), never under-reported. Now it is given back in
     * whenTerminal, after LiveTasks.finished and after the listeners: the decision sees 0.
     */
    @Test
    void aDecisionWhileAHandlesEndIsRecordedStillSeesTheTaskRunningHere() throws Exception {
        RecordingCluster cluster = new RecordingCluster();
        AtomicReference<TaskOrchestrator> self = new AtomicReference<>();
        List<Integer> inListener = new CopyOnWriteArrayList<>();
        AtomicReference<SpawningTask<String>> second = new AtomicReference<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("upper", String.class, String::toUpperCase)
                .listener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (!"first".equals(task.name())) {
                            return;
                        }
                        inListener.add(cluster.host.liveTasks());
                        second.set(self.get().to(String.class).named("second").anywhere().run("upper", "hi"));
                        try {
                            cluster.secondDecided.await(10, TimeUnit.SECONDS);
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build()) {
            self.set(orchestrator);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).run(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cluster.host.liveTasks()).as("the task running here").isEqualTo(1);

            SpawningTask<String> first = orchestrator.to(String.class).named("first").anywhere().run("upper", "hi");
            assertThat(first.join()).isEqualTo("HI");
            assertThat(second.get().join()).isEqualTo("HI");
            release.countDown();
            assertThat(busy.join()).isEqualTo("done");

            assertThat(inListener).as("liveTasks() while the first handle's end is recorded").containsExactly(1);
            assertThat(cluster.seen).as("this member's load at each decision").containsExactly("first=1", "second=1");
        }
    }

    /** Scripts each placement by the handle's name; records nothing. */
    static final class PathsCluster extends QuietCluster {
        volatile ClusterHost host;
        final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void attach(ClusterHost host) {
            this.host = host;
        }

        @Override
        public long incarnation() {
            return 5;
        }

        @Override
        public PlacedTask place(RemoteInvocation invocation) {
            String name = invocation.name();
            boolean refuse = name.equals("refused") && refusals.getAndIncrement() == 0;
            RemoteOutcome outcome = refuse
                    ? new RemoteOutcome("there:2", null, TaskStatus.FAILED, null, "TaskRejectedException", "shutting down", true)
                    : name.startsWith("fail") ? RemoteOutcome.of("there:2", "7-" + failures.incrementAndGet(),
                            TaskStatus.FAILED, null, "IOException", "disk full")
                    : RemoteOutcome.of("there:2", "7-1", TaskStatus.COMPLETED, "HI", null, null);
            boolean slow = name.equals("slow");
            return new PlacedTask() {
                @Override
                public String member() {
                    return "there:2";
                }

                @Override
                public RemoteOutcome await() throws InterruptedException {
                    if (slow) {
                        new CountDownLatch(1).await();
                    }
                    return outcome;
                }

                @Override
                public RemoteOutcome await(Duration timeout) throws InterruptedException {
                    return await();
                }

                @Override
                public boolean refused() {
                    return refuse;
                }

                @Override
                public void cancel() {
                }
            };
        }
    }

    private static void settlesAt(TaskOrchestrator orchestrator, ClusterHost host, int load, String after) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> orchestrator.liveCount() == load);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(host.liveTasks()).as("liveTasks() after " + after).isEqualTo(load));
    }

    /**
     * Every way a handle ends gives its count back exactly once: after each, with one plain task running here,
     * liveTasks() settles at 1 (a leak shows 0, the clamp hiding it; a double give-back shows 2).
     */
    @Test
    void everyWayAHandleEndsGivesItsCountBackOnce() throws Exception {
        PathsCluster cluster = new PathsCluster();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .runtime(TaskRuntime.single("one"))
                .handler("upper", String.class, String::toUpperCase).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).run(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            ClusterHost host = cluster.host;
            settlesAt(orchestrator, host, 1, "start");

            assertThat(orchestrator.to(String.class).named("quick").anywhere().run("upper", "hi").join()).isEqualTo("HI");
            settlesAt(orchestrator, host, 1, "a completed handle");

            assertThat(orchestrator.to(String.class).named("refused").anywhere().run("upper", "hi").join()).isEqualTo("HI");
            settlesAt(orchestrator, host, 1, "a handle placed again after a refusal");

            assertThat(orchestrator.to(String.class).named("fail").anywhere().run("upper", "hi").result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a failed handle");

            SpawningTask<String> retried = orchestrator.to(String.class).named("fail-retried")
                    .retry(RetryPolicy.fixed(2, Duration.ZERO)).anywhere().run("upper", "hi");
            assertThat(retried.result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a handle retried twice");

            assertThat(orchestrator.to(String.class).named("slow").timeout(Duration.ofMillis(50)).anywhere()
                    .run("upper", "hi").result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a timed-out handle");

            SpawningTask<String> cancelled = orchestrator.to(String.class).named("slow").anywhere().run("upper", "hi");
            Thread.sleep(50);
            cancelled.cancel();
            assertThat(cancelled.result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a cancelled handle");

            // Behind a blocker on a single runtime: cancelled before its body began.
            CountDownLatch unblock = new CountDownLatch(1);
            SpawningTask<String> blocker = orchestrator.to(String.class).runtime("one").run(() -> {
                unblock.await();
                return "b";
            });
            SpawningTask<String> queued = orchestrator.to(String.class).named("quick").runtime("one").anywhere()
                    .run("upper", "hi");
            assertThat(queued.cancel()).isTrue();
            assertThat(queued.result().isOk()).isFalse();
            unblock.countDown();
            assertThat(blocker.join()).isEqualTo("b");
            settlesAt(orchestrator, host, 1, "a handle cancelled before its body began");

            SpawningTask<String> failing = orchestrator.to(String.class).run(() -> {
                throw new IllegalStateException("no");
            });
            SpawningTask<String> dependent = orchestrator.to(String.class).named("quick").after(failing).anywhere()
                    .run("upper", "hi");
            assertThat(dependent.result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a handle whose dependency failed");

            SpawningTask<String> ok = orchestrator.to(String.class).run(() -> "ok");
            assertThat(orchestrator.to(String.class).named("quick").after(ok).anywhere().run("upper", "hi").join())
                    .isEqualTo("HI");
            settlesAt(orchestrator, host, 1, "a handle after a dependency");

            // Refused as it is made: waiting for its own parent.
            SpawningTask<String> parent = orchestrator.to(String.class).run(() -> {
                SpawningTask<?> me = (SpawningTask<?>) Carrier.currentTask();
                try {
                    orchestrator.to(String.class).named("quick").after(me).anywhere().run("upper", "hi");
                    return "made";
                }
                catch (IllegalArgumentException expected) {
                    return "refused";
                }
            });
            assertThat(parent.join()).isEqualTo("refused");
            settlesAt(orchestrator, host, 1, "a handle refused as it was made");

            // Made under a parent that is being stopped: stopped as it is made.
            CountDownLatch inBody = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
            SpawningTask<String> stopping = orchestrator.to(String.class).run(() -> {
                inBody.countDown();
                while (true) {
                    try {
                        go.await();
                        break;
                    }
                    catch (InterruptedException ignored) {
                        // keep waiting: the child is made once the parent is stopping
                    }
                }
                child.set(orchestrator.to(String.class).named("quick").anywhere().run("upper", "hi"));
                return "p";
            });
            assertThat(inBody.await(10, TimeUnit.SECONDS)).isTrue();
            stopping.cancel();
            go.countDown();
            assertThat(stopping.result().isOk()).isFalse();
            assertThat(child.get().result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a handle made under a stopping parent");

            // Rejected as it is made: the orchestrator shuts down (the busy task still runs through the grace).
            Thread shutting = Thread.ofPlatform().start(() -> orchestrator.shutdown(Duration.ofSeconds(20)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !orchestrator.isAccepting());
            SpawningTask<String> rejected = orchestrator.to(String.class).named("quick").anywhere().run("upper", "hi");
            assertThat(rejected.result().isOk()).isFalse();
            settlesAt(orchestrator, host, 1, "a handle rejected by the shutdown");

            release.countDown();
            assertThat(busy.join()).isEqualTo("done");
            shutting.join(10_000);
        }
    }

    /**
     * The same window, seen by a callback of the handle's future (they run on the completing thread, before the
     * handle's count is given back): with one task running here, the callback reads liveTasks() = 0.
     */
    @Test
    void aCallbackOnAHandlesFutureStillSeesTheTaskRunningHere() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch placed = new CountDownLatch(1);
        AtomicReference<ClusterHost> hostRef = new AtomicReference<>();
        QuietCluster cluster = new QuietCluster() {
            @Override
            public void attach(ClusterHost host) {
                hostRef.set(host);
            }

            @Override
            public long incarnation() {
                return 5;
            }

            @Override
            public PlacedTask place(RemoteInvocation invocation) {
                placed.countDown();
                RemoteOutcome done = RemoteOutcome.of("there:2", "7-1", TaskStatus.COMPLETED, "HI", null, null);
                return new PlacedTask() {
                    @Override
                    public String member() {
                        return "there:2";
                    }

                    @Override
                    public RemoteOutcome await() throws InterruptedException {
                        gate.await();
                        return done;
                    }

                    @Override
                    public RemoteOutcome await(Duration timeout) throws InterruptedException {
                        return await();
                    }

                    @Override
                    public void cancel() {
                    }
                };
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("upper", String.class, String::toUpperCase).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).run(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> first = orchestrator.to(String.class).named("first").anywhere().run("upper", "hi");
            assertThat(placed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(hostRef.get().liveTasks()).as("the task running here, the handle waiting").isEqualTo(1);
            java.util.concurrent.CompletableFuture<Integer> seen = first.toCompletableFuture()
                    .thenApply(value -> hostRef.get().liveTasks());
            gate.countDown();
            int load = seen.get(10, TimeUnit.SECONDS);
            release.countDown();
            assertThat(busy.join()).isEqualTo("done");
            assertThat(load).as("liveTasks() in a callback of the handle's future").isEqualTo(1);
        }
    }

    /** Many handles made, placed, failed, cancelled and timed out at once, from several threads: no count is lost. */
    @Test
    void aStormOfHandlesGivesEveryCountBack() throws Exception {
        PathsCluster cluster = new PathsCluster();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("upper", String.class, String::toUpperCase).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<String> busy = orchestrator.to(String.class).run(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            String[] names = {"quick", "refused", "fail", "slow"};
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            java.util.List<SpawningTask<String>> all = new CopyOnWriteArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < 300; i++) {
                        String name = names[random.nextInt(names.length)];
                        SpawningTaskBuilder<String> builder = orchestrator.to(String.class).named(name);
                        if (name.equals("slow")) {
                            builder = builder.timeout(Duration.ofMillis(random.nextInt(5)));
                        }
                        SpawningTask<String> handle = builder.anywhere().run("upper", "hi");
                        all.add(handle);
                        if (random.nextInt(4) == 0) {
                            handle.cancel();
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join(20_000);
            }
            for (SpawningTask<String> handle : all) {
                handle.result();
            }
            settlesAt(orchestrator, cluster.host, 1, "a storm of handles");
            release.countDown();
            assertThat(busy.join()).isEqualTo("done");
        }
    }

    /** The commit's own test, many times over: is it deterministic? */
    @Test
    @Timeout(120)
    void theCommitsBurstTestIsStable() throws Exception {
        for (int i = 0; i < 200; i++) {
            new AnywhereTaskTest().handlesWhoseBodiesHaveNotBegunAreNotLoadOfThisMember();
        }
    }
}
