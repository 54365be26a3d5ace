package io.sweetasync.review12;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README (Task trees): "A task keeps its children, with their values, until it ends itself". It kept them after
 * its end too: the handle of an ended root (what {@code run()} returned, kept by an application in a map of jobs)
 * linked every child of its tree, with its value, through its children list; so did the handle of any one child,
 * through its parent and its older siblings. Seen: 20 children each returning 4 MiB, root joined, 20 of 20 values
 * still reachable (80 MiB) while the root's handle was held. A finished root now lets go of its tree once its
 * snapshot is in the history (whose late renewals patch the snapshot instead of walking the tree); the history
 * still shows the tree.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12EndedTreeRetentionTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void anEndedRootsHandleDoesNotKeepItsChildrensValues() throws Exception {
        List<WeakReference<byte[]>> values = new CopyOnWriteArrayList<>();
        SpawningTask<String> job = fanOut(values, null);
        assertThat(job.join()).isEqualTo("joined");
        assertThat(job.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(stillReachable(values)).as("values of the ended root's children still reachable while its handle is held")
                .isZero();
        assertThat(job.info().children()).isEmpty(); // the handle answers nothing that needs them
        assertThat(job.info().childCount()).isEqualTo(20);
        TaskInfo recorded = orchestrator.find(job.id()).orElseThrow();
        assertThat(recorded.children()).as("the history still shows the tree").hasSize(20)
                .allSatisfy(child -> assertThat(child.status()).isEqualTo(TaskStatus.COMPLETED));
    }

    @Test
    void aKeptChildsHandleDoesNotKeepItsSiblingsValues() throws Exception {
        List<WeakReference<byte[]>> values = new CopyOnWriteArrayList<>();
        AtomicReference<SpawningTask<byte[]>> newest = new AtomicReference<>();
        SpawningTask<String> job = fanOut(values, newest);
        assertThat(job.join()).isEqualTo("joined");
        SpawningTask<byte[]> kept = newest.get();
        job = null; // only the newest child's handle is kept
        assertThat(stillReachable(values)).as("values reachable while the newest child's handle is held").isOne();
        assertThat(kept.join()).hasSize(4 << 20); // its own value it keeps
    }

    private SpawningTask<String> fanOut(List<WeakReference<byte[]>> values, AtomicReference<SpawningTask<byte[]>> newest) {
        return orchestrator.to(String.class).named("fan-out").run(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (int i = 0; i < 20; i++) {
                SpawningTask<byte[]> child = ctx.runChild(() -> {
                    byte[] value = new byte[4 << 20];
                    values.add(new WeakReference<>(value));
                    return value;
                });
                if (newest != null) {
                    newest.set(child);
                }
            }
            assertThat(ctx.joinChildren()).hasSize(20);
            return "joined";
        });
    }

    private static long stillReachable(List<WeakReference<byte[]>> values) throws InterruptedException {
        for (int i = 0; i < 100 && values.stream().filter(ref -> ref.get() != null).count() > 1; i++) {
            System.gc();
            Thread.sleep(20);
        }
        System.gc();
        return values.stream().filter(ref -> ref.get() != null).count();
    }
}
