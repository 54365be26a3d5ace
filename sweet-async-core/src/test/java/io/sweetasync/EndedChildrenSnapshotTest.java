package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.internal.EndedChildren;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task that keeps only its newest few ended children ({@link EndedChildren#keepAtMost}, a pipeline's task) drops
 * the older ones as it adds a child. A tree snapshot reads a node's children, then its own figures
 * ({@link TaskInfo#childCount()}): a drop between the two reads listed more children than the node counted (the
 * promise {@link TreeSnapshotCountTest} keeps for every other task), and {@code childCount} no longer said how many
 * children the task had started ({@link TaskInfo}: "number of children started so far").
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndedChildrenSnapshotTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * The drop lands between the two reads: the parent's progress supplier (read by the snapshot after its
     * children) lets the body add a child, which drops the ended ones, before it returns.
     */
    @Test
    void aDropBetweenASnapshotsTwoReadsNeverListsMoreChildrenThanItCounts() throws Exception {
        int ended = 20;
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch snapshotting = new CountDownLatch(1);
        CountDownLatch added = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("keeper").run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            context.progress("gate", () -> {
                if (armed.compareAndSet(true, false)) {
                    snapshotting.countDown();
                    try {
                        added.await(30, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                return 0;
            });
            List<SpawningTask<Integer>> children = new ArrayList<>();
            for (int i = 0; i < ended; i++) {
                children.add(context.runChild(() -> 0));
            }
            children.forEach(SpawningTask::join);
            waitUntilEveryChildLeft(children);
            armed.set(true);
            snapshotting.await();
            EndedChildren.keepAtMost(context, 0);
            context.runChild(() -> 0).join();
            added.countDown();
            finish.await();
            return 0;
        });
        while (!armed.get()) {
            Thread.onSpinWait();
        }
        TaskInfo tree = orchestrator.roots().stream().filter(root -> root.id().equals(parent.id())).findFirst()
                .orElseThrow();
        finish.countDown();
        parent.join();
        assertThat(tree.children().size()).as("children listed").isLessThanOrEqualTo(tree.childCount());
        assertThat(tree.childCount()).as("children started").isEqualTo(ended + 1);
    }

    /** The same race left to chance: a parent that drops bursts of ended children, and snapshots read all along. */
    @Test
    void snapshotsOfAChurningKeeperNeverListMoreChildrenThanTheyCount() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("churn").run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            EndedChildren.keepAtMost(context, 0);
            int rounds = 0;
            while (!stop.get()) {
                CountDownLatch release = new CountDownLatch(1);
                List<SpawningTask<Integer>> burst = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    burst.add(context.runChild(() -> {
                        release.await();
                        return 0;
                    }));
                }
                release.countDown();
                burst.forEach(SpawningTask::join);
                rounds++;
            }
            return rounds;
        });
        try {
            for (int read = 0; read < 50_000; read++) {
                for (TaskInfo tree : orchestrator.roots()) {
                    ArrayDeque<TaskInfo> nodes = new ArrayDeque<>();
                    nodes.push(tree);
                    while (!nodes.isEmpty()) {
                        TaskInfo node = nodes.pop();
                        assertThat(node.children().size()).as("read %d: children listed under %s", read, node.name())
                                .isLessThanOrEqualTo(node.childCount());
                        node.children().forEach(nodes::push);
                    }
                }
            }
        }
        finally {
            stop.set(true);
            parent.toCompletableFuture().handle((v, e) -> v).get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * A pipeline that runs for good starts ever more workers while it keeps few: its count of children started stays
     * at the largest int once there, never wraps to a negative count. (Set near there: two billion starts take years.)
     */
    @Test
    void theCountOfChildrenStartedNeverWraps() throws Exception {
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            EndedChildren.keepAtMost(context, 0);
            context.runChild(() -> 0).join();
            TaskChildren<?> node = (TaskChildren<?>) orchestrator.parts().live.find(context.id());
            Field list = TaskChildren.class.getDeclaredField("children");
            list.setAccessible(true);
            Object children = list.get(node);
            Field started = children.getClass().getDeclaredField("started");
            started.setAccessible(true);
            started.setInt(children, Integer.MAX_VALUE - 1);
            for (int i = 0; i < 3; i++) {
                context.runChild(() -> 0).join();
            }
            return orchestrator.find(context.id()).orElseThrow().childCount();
        });
        assertThat(parent.join()).isEqualTo(Integer.MAX_VALUE);
    }

    /** A child's end is recorded before it leaves its parent's count: wait for the leaving (what a drop reads). */
    private static void waitUntilEveryChildLeft(List<SpawningTask<Integer>> children) throws Exception {
        Field share = TaskChildren.class.getDeclaredField("parentShare");
        share.setAccessible(true);
        for (SpawningTask<Integer> child : children) {
            while (share.getInt(child) == 0) { // NONE: not left yet
                Thread.sleep(1);
            }
        }
    }
}
