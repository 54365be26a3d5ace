package io.sweetasync.round8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue #19 (alloc, f4e8fa8 / 47d56f8): a task's children are a list linked through the children themselves, newest
 * first, and {@code joinChildren()} walks it without the lock. SPEC 1.8: {@code children()} in start order,
 * {@code joinChildren()} "waits for every child started so far, in start order"; rule 2, a parent is not terminal
 * before all its children are. Children are added here from several threads of one body, from the bodies of other
 * children (an explicit parent, the root's context), while another thread lists and joins them, and while the
 * parent is cancelled and its body returns.
 */
class LinkedChildrenRaceTest {

    private static final int CREATORS = 4;
    private static final int PER_CREATOR = 150;

    @Test
    void childrenAddedFromManyThreadsAreListedAndJoinedInOneStartOrder() {
        assertTimeoutPreemptively(Duration.ofSeconds(240), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                for (int round = 0; round < 30; round++) {
                    SpawningTask<String> root = orchestrator.to(String.class).named("root")
                            .run(LinkedChildrenRaceTest::addListAndJoin);
                    assertThat(root.join()).as("round " + round).isEmpty();
                }
            }
        });
    }

    /** The root's body: returns the broken promises found, empty if none. */
    private static String addListAndJoin() throws Exception {
        TaskContext ctx = TaskContext.current().orElseThrow();
        List<String> problems = new CopyOnWriteArrayList<>();
        List<List<TaskId>> createdBy = new ArrayList<>();
        int fromChildren = CREATORS * PER_CREATOR / 10;
        CountDownLatch siblingsMade = new CountDownLatch(fromChildren);
        AtomicBoolean creating = new AtomicBoolean(true);
        List<List<TaskId>> listed = new CopyOnWriteArrayList<>();
        List<List<TaskId>> joined = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (creating.get()) {
                listed.add(ctx.children().stream().map(TaskInfo::id).toList());
                joined.add(values(ctx.joinChildren()));
            }
        });
        reader.start();
        List<Thread> creators = new ArrayList<>();
        for (int t = 0; t < CREATORS; t++) {
            List<TaskId> mine = new ArrayList<>();
            createdBy.add(mine);
            Thread creator = new Thread(() -> {
                for (int i = 0; i < PER_CREATOR; i++) {
                    boolean makesSibling = i % 10 == 0;
                    SpawningTask<TaskId> child = ctx.child(TaskId.class).named("c").run(() -> {
                        TaskId self = TaskContext.current().orElseThrow().id();
                        if (makesSibling) { // a sibling added from a child's thread: explicit parent
                            ctx.child(TaskId.class).named("s")
                                    .run(() -> TaskContext.current().orElseThrow().id());
                            siblingsMade.countDown();
                        }
                        return self;
                    });
                    mine.add(child.id());
                }
            });
            creators.add(creator);
            creator.start();
        }
        for (Thread creator : creators) {
            creator.join();
        }
        siblingsMade.await();
        creating.set(false);
        reader.join();

        List<TaskId> all = ctx.children().stream().map(TaskInfo::id).toList();
        List<TaskId> results = values(ctx.joinChildren());
        if (all.size() != CREATORS * PER_CREATOR + fromChildren || new HashSet<>(all).size() != all.size()) {
            problems.add("children() lists " + all.size() + " (" + new HashSet<>(all).size() + " distinct), expected "
                    + (CREATORS * PER_CREATOR + fromChildren));
        }
        if (!results.equals(all)) {
            problems.add("joinChildren() results not those of children() in start order");
        }
        for (List<TaskId> mine : createdBy) {
            if (!isSubsequence(mine, all)) {
                problems.add("one thread's children are not in the order it started them");
            }
        }
        for (List<TaskId> some : listed) {
            if (!all.subList(0, Math.min(some.size(), all.size())).equals(some)) {
                problems.add("a children() snapshot of " + some.size() + " is not a prefix of the final list");
                break;
            }
        }
        for (List<TaskId> some : joined) {
            if (!all.subList(0, Math.min(some.size(), all.size())).equals(some)) {
                problems.add("a joinChildren() of " + some.size() + " is not the first children in start order");
                break;
            }
        }
        return String.join("; ", problems);
    }

    @Test
    void aCancelledParentEndsOnlyAfterEveryChildAddedWhileItStopped() {
        assertTimeoutPreemptively(Duration.ofSeconds(240), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                for (int round = 0; round < 10; round++) {
                    cancelWhileAdding(orchestrator, round);
                }
            }
        });
    }

    private static void cancelWhileAdding(TaskOrchestrator orchestrator, int round) throws Exception {
        Map<TaskId, SpawningTask<Integer>> created = new ConcurrentHashMap<>();
        List<Thread> creators = new CopyOnWriteArrayList<>();
        CountDownLatch someAdded = new CountDownLatch(CREATORS);
        AtomicBoolean cancelled = new AtomicBoolean();
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("root").run(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (int t = 0; t < CREATORS; t++) {
                Thread creator = new Thread(() -> {
                    try {
                        // a bounded run after the cancel: creators that never stop would keep the parent from
                        // ever finishing (it waits for its children), as on main
                        for (int i = 0, after = 0; !cancelled.get() || after++ < 100; i++) {
                            SpawningTask<Integer> child = ctx.child(Integer.class).named("c").run(() -> {
                                Thread.sleep(Long.MAX_VALUE);
                                return 0;
                            });
                            created.put(child.id(), child);
                            if (i == 20) {
                                someAdded.countDown();
                            }
                        }
                    }
                    catch (IllegalStateException finished) {
                        someAdded.countDown(); // the parent has finished: no child can be added any more
                    }
                });
                creators.add(creator);
                creator.start();
            }
            Thread.sleep(Long.MAX_VALUE); // returns when cancelled, while the creators still add
            return 1;
        });
        someAdded.await();
        root.cancel();
        cancelled.set(true);
        TaskResult<Integer> result = root.result();
        // Rule 2: every child registered is terminal once the parent is; none can be added any more.
        List<TaskInfo> children = root.info().children();
        List<String> notEnded = new ArrayList<>();
        for (TaskInfo child : children) {
            if (!child.status().isTerminal()) {
                notEnded.add(child.id() + " " + child.status());
            }
        }
        for (Thread creator : creators) {
            creator.join();
        }
        assertThat(result).as("round " + round).isInstanceOf(TaskResult.Err.class);
        assertThat(notEnded).as("round %d: children not ended when their parent is %s", round, root.status())
                .isEmpty();
        for (SpawningTask<Integer> child : created.values()) {
            assertThat(child.status()).as("round " + round).isEqualTo(TaskStatus.CANCELLED);
        }
        assertThat(root.info().childCount()).as("round " + round).isEqualTo(created.size());
    }

    @Test
    void aWideParentsChildrenAreListedSnapshottedAndJoinedWhole() {
        int width = 30_000;
        assertTimeoutPreemptively(Duration.ofSeconds(110), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                CountDownLatch release = new CountDownLatch(1);
                SpawningTask<String> root = orchestrator.to(String.class).named("wide").run(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    List<TaskId> started = new ArrayList<>(width);
                    for (int i = 0; i < width; i++) {
                        started.add(ctx.child(TaskId.class).named("w").run(() -> {
                            release.await();
                            return TaskContext.current().orElseThrow().id();
                        }).id());
                    }
                    List<TaskId> listed = ctx.children().stream().map(TaskInfo::id).toList();
                    int snapshotted = orchestrator.roots().stream().filter(r -> r.id().equals(ctx.id()))
                            .mapToInt(TaskInfo::childCount).findFirst().orElse(-1);
                    release.countDown();
                    List<TaskId> joined = values(ctx.joinChildren());
                    return (listed.equals(started) ? "" : "children() not in start order; ")
                            + (joined.equals(started) ? "" : "joinChildren() not in start order; ")
                            + (snapshotted == width ? "" : "roots() counts " + snapshotted + " children");
                });
                assertThat(root.join()).isEmpty();
                assertThat(root.info().childCount()).isEqualTo(width);
            }
        });
    }

    private static List<TaskId> values(List<TaskResult<?>> results) {
        List<TaskId> ids = new ArrayList<>(results.size());
        for (TaskResult<?> result : results) {
            ids.add(result instanceof TaskResult.Ok<?> ok ? (TaskId) ok.value() : null);
        }
        return ids;
    }

    private static boolean isSubsequence(List<TaskId> part, List<TaskId> whole) {
        int at = 0;
        for (TaskId id : whole) {
            if (at < part.size() && part.get(at).equals(id)) {
                at++;
            }
        }
        return at == part.size();
    }
}
