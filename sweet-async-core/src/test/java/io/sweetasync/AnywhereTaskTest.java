package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tasks built with anywhere(): without a cluster, and mirroring what a cluster engine reports. */
@Timeout(30)
class AnywhereTaskTest {

    /** A cluster engine that places everything elsewhere and lets the test decide the outcome. */
    static final class ScriptedCluster extends QuietCluster {
        final CompletableFuture<RemoteOutcome> outcome = new CompletableFuture<>();
        final CountDownLatch placed = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);
        volatile RemoteInvocation invocation;
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
        public String memberName() {
            return "here:1";
        }

        @Override
        public PlacedTask place(RemoteInvocation invocation) {
            this.invocation = invocation;
            placed.countDown();
            return new PlacedTask() {
                @Override
                public String member() {
                    return "there:2";
                }

                @Override
                public RemoteOutcome await() throws InterruptedException {
                    try {
                        return outcome.get();
                    }
                    catch (ExecutionException ex) {
                        throw new AssertionError(ex);
                    }
                }

                @Override
                public RemoteOutcome await(java.time.Duration timeout) throws InterruptedException {
                    try {
                        return outcome.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
                    }
                    catch (java.util.concurrent.TimeoutException ex) {
                        return null;
                    }
                    catch (ExecutionException ex) {
                        throw new AssertionError(ex);
                    }
                }

                @Override
                public void cancel() {
                    cancelled.countDown();
                }
            };
        }
    }

    @Test
    void withoutAClusterTheHandlerRunsHereAsAChild() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .handler("upper", String.class, String::toUpperCase)
                .handler("fail", String.class, message -> {
                    throw new IOException(message);
                }).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).named("shout").anywhere().run("upper", "hi");
            assertThat(task.join()).isEqualTo("HI");
            assertThat(orchestrator.find(task.id()).orElseThrow().children()).singleElement()
                    .satisfies(child -> assertThat(child.name()).isEqualTo("shout"));
            assertThatThrownBy(() -> orchestrator.to(String.class).anywhere().await("fail", "disk full"))
                    .isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class)
                    .hasMessageContaining("disk full");
        }
    }

    /**
     * "The caller's SpawningTask reflects the remote task: status": without a cluster the work runs here as the
     * handle's child; while that child waits for its group's permit the handle says QUEUED (its own body runs: it
     * started the work and waits for it), RUNNING once the work began. A thread reading the status all along never
     * sees it go back (RUNNING, then QUEUED), the order transitions keep.
     */
    @Test
    void theHandleIsQueuedWhileItsWorkWaitsForAPermitAndNeverGoesBack() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", io.sweetasync.limit.LimiterConfig.defaults()
                        .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                .handler("hold", String.class, any -> {
                    release.await();
                    return "done";
                }).build()) {
            SpawningTask<String> holder = orchestrator.to(String.class).group("g").run(() -> {
                holding.countDown();
                release.await();
                return "held";
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> handle = orchestrator.to(String.class).group("g").anywhere().run("hold", "x");
            java.util.List<TaskStatus> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                TaskStatus last = null;
                while (last == null || !last.isTerminal()) {
                    TaskStatus now = handle.status();
                    if (now != last) {
                        seen.add(now);
                        last = now;
                    }
                }
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    orchestrator.find(handle.id()).orElseThrow().children().stream()
                            .anyMatch(child -> child.status() == TaskStatus.QUEUED));
            assertThat(handle.status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(handle.info().status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(holder.cancel()).isTrue(); // its permit goes to the work, which waits on the latch in its turn
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> handle.status() == TaskStatus.RUNNING);
            release.countDown();
            assertThat(handle.join()).isEqualTo("done");
            reader.join(10_000);
            assertThat(seen).containsSubsequence(TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.COMPLETED)
                    .doesNotContainSequence(TaskStatus.RUNNING, TaskStatus.QUEUED);
            assertThat(seen.indexOf(TaskStatus.RUNNING)).isEqualTo(seen.lastIndexOf(TaskStatus.RUNNING));
        }
    }

    /**
     * The host tells the placing member when a placed task's body begins (its handle turns RUNNING then), once,
     * not while the task waits for its group's permit, and not again for a retry.
     */
    @Test
    void theHostReportsThatAPlacedTasksBodyBeganOnceWhenItBegan() throws Exception {
        ScriptedCluster cluster = new ScriptedCluster();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .defaultRetry(RetryPolicy.fixed(2, java.time.Duration.ZERO)) // the placed task runs under it here
                .group("g", io.sweetasync.limit.LimiterConfig.defaults()
                        .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                .handler("flaky", String.class, any -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IOException("first attempt fails");
                    }
                    return "ok";
                }).build()) {
            orchestrator.to(String.class).group("g").run(() -> {
                holding.countDown();
                release.await();
                return "held";
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.atomic.AtomicInteger began = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<RemoteOutcome> reported = new CompletableFuture<>();
            TaskId id = cluster.host.start(new RemoteInvocation("flaky", "x", "placed", "g", TaskPriority.NORMAL,
                    Map.of(), "there:2/3-9"), began::incrementAndGet, reported::complete);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> orchestrator.find(id).orElseThrow().status() == TaskStatus.QUEUED);
            assertThat(began).hasValue(0);
            release.countDown();
            assertThat(reported.get(10, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(calls).as("attempts").hasValue(2);
            assertThat(began).as("reports of its start").hasValue(1);
        }
    }

    @Test
    void aLostMemberEndsTheTaskFailedWithTaskLostExceptionNamingIt() throws Exception {
        ScriptedCluster cluster = new ScriptedCluster();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("upper", String.class, String::toUpperCase).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).named("shout").anywhere().run("upper", "hi");
            assertThat(task.id().incarnation()).isEqualTo(5);
            assertThat(cluster.placed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cluster.invocation.origin()).isEqualTo("here:1/" + task.id());
            // QUEUED for the moment between the engine's place() returning and the body recording the placement
            // (whose work says it began): RUNNING then, the status moving forward only
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> task.status() != TaskStatus.QUEUED);
            assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);

            cluster.outcome.complete(RemoteOutcome.lost("there:2", "it left the cluster"));

            assertThatThrownBy(task::join).isInstanceOf(TaskLostException.class).hasMessageContaining("shout")
                    .hasMessageContaining("there:2").hasMessageContaining("it left the cluster");
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(task.info().failure().type()).isEqualTo("TaskLostException");
        }
    }

    @Test
    void remoteOutcomesAreMirrored() throws Exception {
        ScriptedCluster done = new ScriptedCluster();
        ScriptedCluster cancelledThere = new ScriptedCluster();
        try (TaskOrchestrator a = TaskOrchestrator.builder().cluster(done).handler("upper", String.class, String::toUpperCase)
                .build();
                TaskOrchestrator b = TaskOrchestrator.builder().cluster(cancelledThere)
                        .handler("upper", String.class, String::toUpperCase).build()) {
            SpawningTask<String> ok = a.to(String.class).anywhere().run("upper", "hi");
            done.outcome.complete(RemoteOutcome.of("there:2", "7-1", TaskStatus.COMPLETED, "HI", null, null));
            assertThat(ok.join()).isEqualTo("HI");

            SpawningTask<String> stopped = b.to(String.class).anywhere().run("upper", "hi");
            cancelledThere.outcome.complete(RemoteOutcome.of("there:2", "7-2", TaskStatus.CANCELLED, null,
                    "TaskCancelledException", "cancelled through the orchestrator"));
            assertThat(stopped.result().isOk()).isFalse();
            assertThat(stopped.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(stopped.info().failure().message()).contains("there:2").contains("7-2");
        }
    }

    @Test
    void cancellingTheHandleCancelsThePlacedTask() throws Exception {
        ScriptedCluster cluster = new ScriptedCluster();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("upper", String.class, String::toUpperCase).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).anywhere().run("upper", "hi");
            assertThat(cluster.placed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel()).isTrue();
            assertThat(cluster.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
            // The cancellation is sent from the body's interrupt handling; the task ends once the body returns.
            assertThat(task.result().isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    @Test
    void theHostRunsAPlacedInvocationAndReportsItsEnd() throws Exception {
        ScriptedCluster cluster = new ScriptedCluster();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("upper", String.class, String::toUpperCase).build()) {
            CompletableFuture<RemoteOutcome> reported = new CompletableFuture<>();
            TaskId id = cluster.host.start(new RemoteInvocation("upper", "hi", "shout", null, TaskPriority.NORMAL,
                    Map.of(), "there:2/3-9"), reported::complete);
            RemoteOutcome outcome = reported.get(10, TimeUnit.SECONDS);
            assertThat(outcome.withMetrics(null))
                    .isEqualTo(RemoteOutcome.of("here:1", id.toString(), TaskStatus.COMPLETED, "HI", null, null));
            TaskInfo ran = orchestrator.find(id).orElseThrow();
            assertThat(ran.tags()).containsEntry("placed-from", "there:2/3-9");
            assertThat(outcome.metrics()).as("the figures of the task that ran it").isNotNull();
            assertThat(outcome.metrics().runTime()).isEqualTo(ran.metrics().runTime());
            assertThat(outcome.metrics().queueWait()).isEqualTo(ran.metrics().queueWait());

            CompletableFuture<RemoteOutcome> unknown = new CompletableFuture<>();
            cluster.host.start(new RemoteInvocation("nope", "hi", "x", null, TaskPriority.NORMAL, Map.of(),
                    "there:2/3-10"), unknown::complete);
            assertThat(unknown.get(10, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.FAILED);
            assertThat(unknown.get().failureMessage()).contains("nope");
        }
    }

    /**
     * A burst of handles made faster than their bodies begin (their runtime busy, or a loaded machine) is not
     * load of this member: each decision sees the work that runs here, not the handles that only wait to place
     * theirs. Counted from when the body began, the first decision of a burst of three saw this member running
     * two tasks (the two handles behind it) and placed elsewhere what a cluster of idle members would give it.
     */
    @Test
    void handlesWhoseBodiesHaveNotBegunAreNotLoadOfThisMember() throws Exception {
        java.util.List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        QuietCluster cluster = new QuietCluster() {
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
                seen.add(host.liveTasks());
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
                    public RemoteOutcome await(java.time.Duration timeout) {
                        return done;
                    }

                    @Override
                    public void cancel() {
                    }
                };
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .runtime(TaskRuntime.single("one")).handler("upper", String.class, String::toUpperCase).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> blocker = orchestrator.to(String.class).runtime("one").run(() -> {
                release.await();
                return "done";
            });
            java.util.List<SpawningTask<String>> handles = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                handles.add(orchestrator.to(String.class).runtime("one").anywhere().run("upper", "hi"));
            }
            release.countDown();
            assertThat(blocker.join()).isEqualTo("done");
            for (SpawningTask<String> handle : handles) {
                assertThat(handle.join()).isEqualTo("HI");
            }
            assertThat(seen).as("this member's load at each decision of the burst").containsExactly(0, 0, 0);
        }
    }
}
