package io.sweetasync.review12;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of forgetTree: {@code find(id)} and {@code roots()} of a root that is ending. Both walk the live
 * tree ({@code tree(Integer.MAX_VALUE)}) of a root found in the live registry; the finishing thread lets go of that
 * tree (forgetTree) right after the root left the registry. A walk that overlaps it shows a cut tree: a node whose
 * childCount says N with fewer (or no) children listed, every child having been added long before.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12FindDuringEndTest {

    private static final int CHILDREN = 40;
    private static final int GRANDCHILDREN = 20;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void findAndRootsOfAnEndingRootNeverShowACutTree() throws Exception {
        List<String> cuts = new ArrayList<>();
        int rounds = 300;
        for (int round = 0; round < rounds && cuts.size() < 3; round++) {
            CountDownLatch allAdded = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<TaskId> middle = new AtomicReference<>();
            SpawningTask<String> root = orchestrator.to(String.class).named("root").run(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                for (int i = 0; i < CHILDREN; i++) {
                    SpawningTask<String> child = ctx.runChild(() -> {
                        TaskContext inner = TaskContext.current().orElseThrow();
                        for (int j = 0; j < GRANDCHILDREN; j++) {
                            inner.runChild(() -> "g");
                        }
                        inner.joinChildren();
                        return "c";
                    });
                    if (i == CHILDREN / 2) {
                        middle.set(child.id());
                    }
                }
                ctx.joinChildren();
                allAdded.countDown();
                release.await();
                return "r";
            });
            assertThat(allAdded.await(60, TimeUnit.SECONDS)).isTrue();
            TaskId id = root.id();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> seen = new AtomicReference<>();
            TaskId childId = middle.get();
            Thread poller = Thread.ofPlatform().start(() -> {
                int query = 0;
                while (!stop.get() && seen.get() == null) {
                    List<TaskInfo> got = new ArrayList<>();
                    String asked = switch (query) {
                        case 0 -> "roots()";
                        case 1 -> "find(rootId)";
                        default -> "find(childId)";
                    };
                    if (query == 0) {
                        got.addAll(orchestrator.roots());
                    }
                    else {
                        Optional<TaskInfo> found = orchestrator.find(query == 1 ? id : childId);
                        if (found.isEmpty()) {
                            seen.compareAndSet(null, asked + ": not found");
                        }
                        found.ifPresent(got::add);
                    }
                    for (TaskInfo top : got) {
                        String cut = firstCut(top);
                        if (cut != null) {
                            seen.compareAndSet(null, asked + ": " + cut);
                        }
                    }
                    query = (query + 1) % 3;
                }
            });
            Thread.sleep(1);
            release.countDown();
            assertThat(root.join()).isEqualTo("r");
            Thread.sleep(2);
            stop.set(true);
            poller.join(60_000);
            assertThat(poller.isAlive()).isFalse();
            if (seen.get() != null) {
                cuts.add("round " + round + ": " + seen.get());
            }
        }
        assertThat(cuts).as("snapshots of an ending root with children missing").isEmpty();
    }

    /** A node whose listed children are fewer than its childCount (all are at most CHILDREN: none held back). */
    private static String firstCut(TaskInfo top) {
        ArrayDeque<TaskInfo> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            TaskInfo info = pending.pop();
            if (info.children().size() != info.childCount()) {
                return info.name() + " " + info.status() + " childCount=" + info.childCount() + " listed="
                        + info.children().size() + " (top " + top.status() + ")";
            }
            info.children().forEach(pending::push);
        }
        return null;
    }
}
