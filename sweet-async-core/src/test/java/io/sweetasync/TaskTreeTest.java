package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskTreeTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(20)
            .runtime(TaskRuntime.platform("pool", 3)).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aTaskStartedInsideABodyIsItsChildUnlessDetached() {
        List<TaskInfo> seen = orchestrator.<List<TaskInfo>>to().named("parent").await(() -> {
            SpawningTask<String> child = orchestrator.to(String.class).named("child").run(() -> "c");
            SpawningTask<String> detached = orchestrator.to(String.class).named("loner").detached().run(() -> "d");
            child.join();
            detached.join();
            return List.of(child.info(), detached.info());
        });
        assertThat(seen.get(0).parentId()).isNotNull();
        assertThat(seen.get(0).path()).matches("parent#\\d+/child#\\d+");
        assertThat(seen.get(1).parentId()).isNull();
        assertThat(seen.get(1).path()).matches("loner#\\d+");
    }

    @Test
    void contextDescribesTheRunningTask() {
        AtomicReference<String> description = new AtomicReference<>();
        orchestrator.to(String.class).named("outer").runtime("platform")
                .retry(RetryPolicy.fixed(1, Duration.ZERO))
                .await(() -> {
                    TaskContext outer = AsyncTask.current().orElseThrow();
                    if (outer.attempt() == 1) {
                        throw new IOException("first attempt fails");
                    }
                    return outer.runChild(() -> {
                        TaskContext inner = TaskContext.current().orElseThrow();
                        description.set(inner.name() + " attempt " + inner.attempt() + " in "
                                + inner.parent().orElseThrow().name() + " on " + inner.runtime().name());
                        return "";
                    }).join() + outer.children().size() + outer.attempt();
                });
        assertThat(description.get()).isEqualTo("TaskTreeTest attempt 1 in outer on platform");
        assertThat(TaskContext.current()).as("empty outside bodies").isEmpty();
    }

    /**
     * README: children that a failed attempt started keep running while the task is retried, and the next
     * attempt's {@code joinChildren()} lists them. Fails if a retried attempt's failure cancels its children.
     */
    @Test
    void childrenOfARetriedAttemptKeepRunningAndTheNextAttemptJoinsThem() {
        CountDownLatch releaseChild = new CountDownLatch(1);
        AtomicReference<List<TaskResult<?>>> joined = new AtomicReference<>();
        orchestrator.to(String.class).named("retried")
                .retry(RetryPolicy.fixed(1, Duration.ZERO))
                .await(() -> {
                    TaskContext context = TaskContext.current().orElseThrow();
                    if (context.attempt() == 1) {
                        context.runChild(() -> {
                            releaseChild.await();
                            return "started by attempt 1";
                        });
                        throw new IOException("attempt 1 fails");
                    }
                    context.runChild(() -> "started by attempt 2");
                    releaseChild.countDown();
                    joined.set(context.joinChildren());
                    return "done";
                });
        assertThat(joined.get().stream().map(result -> (Object) result.orElseThrow()).toList())
                .containsExactly("started by attempt 1", "started by attempt 2");
    }

    @Test
    void aParentIsTerminalOnlyAfterItsChildren() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch bodyReturning = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
            try {
                child.set(TaskContext.current().orElseThrow().runChild(() -> {
                    release.await();
                    return "child done";
                }));
                return "body done";
            }
            finally {
                bodyReturning.countDown();
            }
        });
        bodyReturning.await();
        assertThat(parent.isDone()).isFalse();
        assertThat(parent.status()).isEqualTo(TaskStatus.RUNNING);
        release.countDown();
        assertThat(parent.join()).isEqualTo("body done");
        assertThat(child.get().status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(parent.info().completedAt()).isAfterOrEqualTo(child.get().info().completedAt());
    }

    @Test
    void cancellingAParentCancelsItsWholeUnfinishedSubtree() throws Exception {
        CountDownLatch grandchildRunning = new CountDownLatch(1);
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        AtomicReference<SpawningTask<Integer>> grandchild = new AtomicReference<>();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("root").run(() -> {
            child.set(TaskContext.current().orElseThrow().child(Integer.class).named("mid").run(() -> {
                grandchild.set(TaskContext.current().orElseThrow().child(Integer.class).named("leaf").run(Blocking.untilInterrupted(grandchildRunning)));
                return 2;
            }));
            return 3;
        });
        grandchildRunning.await();
        parent.cancel();
        assertThat(parent.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(grandchild.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThatThrownBy(grandchild.get()::join)
                .hasMessageMatching("task leaf#\\d+ \\(in root#\\d+/mid#\\d+\\) was cancelled after \\d+ attempts?: its parent mid#\\d+ was cancelled");
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void aTimedOutParentCancelsItsChildrenSayingWhy() {
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        // the deadline runs from submission: on a loaded machine it can pass before the body has spawned the
        // child (then there is no child to check), so such a run is repeated with a deadline twice as long
        SpawningTask<Integer> parent = null;
        for (Duration timeout = Duration.ofMillis(50); child.get() == null && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            parent = orchestrator.to(Integer.class).named("bounded").timeout(timeout)
                    .run(() -> {
                        child.set(TaskContext.current().orElseThrow().runChild(Blocking.untilInterrupted()));
                        return 0;
                    });
            assertThatThrownBy(parent::join).isInstanceOf(TaskTimeoutException.class);
        }
        assertThatThrownBy(child.get()::join).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("its parent bounded#" + parent.id() + " timed out");
    }

    @Test
    void aFailedBodyCancelsItsUnfinishedChildrenButAChildFailureDoesNotFailItsParent() {
        AtomicReference<SpawningTask<Integer>> sleeper = new AtomicReference<>();
        SpawningTask<Integer> failing = orchestrator.to(Integer.class).named("failing").run(() -> {
            sleeper.set(TaskContext.current().orElseThrow().runChild(Blocking.untilInterrupted()));
            throw new IllegalStateException("body broke");
        });
        assertThatThrownBy(failing::join).isInstanceOf(TaskFailedException.class);
        assertThatThrownBy(sleeper.get()::join).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("its parent failing#" + failing.id() + " failed");

        List<TaskResult<?>> results = orchestrator.<List<TaskResult<?>>>to().await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            context.runChild(() -> 1);
            context.runChild(() -> {
                throw new IOException("child broke");
            });
            context.runChild(() -> 3);
            return context.joinChildren();
        });
        assertThat(results).hasSize(3);
        assertThat(results.get(0).orElseThrow()).isEqualTo(1);
        assertThat(results.get(1)).isInstanceOf(TaskResult.Err.class);
        assertThat(results.get(2).orElseThrow()).isEqualTo(3);
    }

    @Test
    void joinChildrenKeepsStartOrderWhateverTheFinishOrder() {
        List<Object> values = orchestrator.<List<Object>>to().await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 20; i++) {
                int n = i;
                context.runChild(() -> {
                    Thread.sleep(20 - n);
                    return n;
                });
            }
            return context.joinChildren().stream().map(TaskResult::orElseThrow).map(Object.class::cast).toList();
        });
        assertThat(values).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
    }

    @Test
    void noChildCanBeAddedToAFinishedTask() {
        TaskContext leaked = orchestrator.to(TaskContext.class).named("gone")
                .await(() -> TaskContext.current().orElseThrow());
        assertThatThrownBy(() -> leaked.runChild(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("cannot start child task .* of gone#\\d+: that task has finished \\(COMPLETED\\).*");
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void aChildBuilderMakesChildrenFromAnyThread() throws Exception {
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            Thread other = Thread.ofPlatform().start(() -> context.child(Integer.class).named("from-elsewhere").run(() -> 5));
            other.join();
            return context.joinChildren().size();
        });
        assertThat(parent.join()).isEqualTo(1);
        TaskInfo tree = orchestrator.find(parent.id()).orElseThrow();
        assertThat(tree.children()).extracting(TaskInfo::name).containsExactly("from-elsewhere");
    }

    @Test
    void chainedContinuationsTakeTheirPlaceInTheTree() {
        SpawningTask<String> parent = orchestrator.to(String.class).named("p").run(() -> {
            SpawningTask<Integer> first = TaskContext.current().orElseThrow().runChild(() -> 20);
            return first.chain(n -> "n=" + n).join();
        });
        assertThat(parent.join()).isEqualTo("n=20");
        assertThat(orchestrator.find(parent.id()).orElseThrow().childCount()).isEqualTo(2);
    }

    @Test
    void snapshotsShowTheLiveTreeWithStatusTimingRuntimeAndGroup() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch childrenStarted = new CountDownLatch(3);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("tree").group("imports").run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 3; i++) {
                context.child(Integer.class).named("leaf").runtime("pool").run(() -> {
                    childrenStarted.countDown();
                    release.await();
                    return 1;
                });
            }
            return 0;
        });
        childrenStarted.await();
        List<TaskInfo> roots = orchestrator.roots();
        assertThat(roots).hasSize(1);
        TaskInfo tree = roots.getFirst();
        assertThat(tree.group()).isEqualTo("imports");
        assertThat(tree.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(tree.childCount()).isEqualTo(3);
        assertThat(tree.children()).allSatisfy(leaf -> {
            assertThat(leaf.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(leaf.runtime()).isEqualTo("pool");
            assertThat(leaf.parentId()).isEqualTo(root.id());
            assertThat(leaf.startedAt()).isNotNull();
        });
        release.countDown();
        root.join();
        TaskInfo finished = orchestrator.recent().getFirst();
        assertThat(finished.id()).isEqualTo(root.id());
        assertThat(finished.children()).extracting(TaskInfo::status).containsOnly(TaskStatus.COMPLETED);
    }

    @Test
    void deepTreesOfDepth100() {
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("level").run(() -> descend(1));
        assertThat(root.join()).isEqualTo(100);
        TaskInfo node = orchestrator.find(root.id()).orElseThrow();
        int depth = 1;
        while (!node.children().isEmpty()) {
            node = node.children().getFirst();
            depth++;
        }
        assertThat(depth).isEqualTo(100);
        // A deep path names the root, how many levels it leaves out, and the last nine levels.
        assertThat(node.path()).startsWith("level#" + root.id() + "/\u2026(90 more)/").endsWith("/level#" + node.id());
        assertThat(node.path().split("/")).hasSize(11);
    }

    private static int descend(int level) {
        if (level == 100) {
            return level;
        }
        return TaskContext.current().orElseThrow().child(Integer.class).named("level").run(() -> descend(level + 1))
                .join();
    }

    @Test
    void wideTreesOf10000Children() {
        long sum = orchestrator.to(Long.class).named("wide").await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 10_000; i++) {
                int n = i;
                context.runChild(() -> n);
            }
            return context.joinChildren().stream().mapToLong(r -> (Integer) r.orElseThrow()).sum();
        });
        assertThat(sum).isEqualTo(49_995_000L);
        TaskInfo recorded = orchestrator.recent().getFirst();
        assertThat(recorded.childCount()).isEqualTo(10_000);
        assertThat(recorded.children()).as("history keeps a bounded sample").hasSize(100);
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void cancellationRacingChildCreationLeavesNoOrphan() throws Exception {
        for (int round = 0; round < 50; round++) {
            List<SpawningTask<Integer>> children = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch spawning = new CountDownLatch(1);
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                spawning.countDown();
                for (int i = 0; i < 10_000; i++) {
                    children.add(context.runChild(Blocking.untilInterrupted()));
                }
                return 0;
            });
            spawning.await();
            parent.cancel();
            assertThat(parent.result()).isInstanceOf(TaskResult.Err.class);
            synchronized (children) {
                assertThat(children).allSatisfy(child -> assertThat(child.status()).isEqualTo(TaskStatus.CANCELLED));
            }
        }
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void afterWaitsForDependenciesPendingAndListingThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> a = orchestrator.to(Integer.class).named("a").run(() -> {
            release.await();
            return 1;
        });
        SpawningTask<Integer> b = orchestrator.to(Integer.class).named("b").run(() -> 2);
        SpawningTask<Integer> c = orchestrator.to(Integer.class).named("c").after(a, b).run(() -> a.join() + b.join());
        b.join();
        assertThat(c.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(c.info().dependencies()).containsExactly(a.id(), b.id());
        release.countDown();
        assertThat(c.join()).isEqualTo(3);
    }

    @Test
    void diamondAndFanInDependencies() {
        SpawningTask<Integer> top = orchestrator.to(Integer.class).run(() -> 1);
        SpawningTask<Integer> left = orchestrator.to(Integer.class).after(top).run(() -> top.join() + 10);
        SpawningTask<Integer> right = orchestrator.to(Integer.class).after(top).run(() -> top.join() + 100);
        SpawningTask<Integer> bottom = orchestrator.to(Integer.class).after(left, right)
                .run(() -> left.join() + right.join());
        assertThat(bottom.join()).isEqualTo(112);

        List<SpawningTask<Integer>> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            many.add(orchestrator.to(Integer.class).run(() -> n));
        }
        SpawningTask<Integer> fanIn = orchestrator.to(Integer.class).after(many.toArray(SpawningTask<?>[]::new))
                .run(() -> many.stream().mapToInt(SpawningTask::join).sum());
        assertThat(fanIn.join()).isEqualTo(124_750);
    }

    @Test
    void aFailedDependencyCancelsTheDependentSayingWhich() {
        SpawningTask<Integer> ok = orchestrator.to(Integer.class).named("ok").run(() -> 1);
        SpawningTask<Integer> broken = orchestrator.to(Integer.class).named("broken").run(() -> {
            throw new IOException("x");
        });
        SpawningTask<Integer> dependent = orchestrator.to(Integer.class).named("dependent").after(ok, broken)
                .run(() -> 3);
        assertThatThrownBy(dependent::join).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("its dependency broken#" + broken.id() + " failed");
        assertThat(dependent.info().attempts()).isZero();
    }

    @Test
    void finishedTreesLeaveTheRegistryAndHistoryStaysBounded() {
        List<SpawningTask<Integer>> batch = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            batch.add(orchestrator.to(Integer.class).run(() -> {
                TaskContext.current().orElseThrow().runChild(() -> 1);
                return 1;
            }));
            if (batch.size() == 1_000) {
                batch.forEach(SpawningTask::join);
                batch.clear();
            }
        }
        batch.forEach(SpawningTask::join);
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(orchestrator.roots()).isEmpty();
        assertThat(orchestrator.recent()).hasSize(20);
    }
}
