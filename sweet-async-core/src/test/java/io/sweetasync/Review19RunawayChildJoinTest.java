package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.hostile.Latches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task below the root that timed out and whose body still runs (a runaway) joins its children, as a runaway root
 * does ({@code Review12RunawayRootJoinTest}): its tree is let go of when its root finishes, but not the part a body
 * still running may read. Before, the root's end cut every list of its tree, the runaway child's too: that body's
 * {@code joinChildren()} answered an empty list though it had started three children.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review19RunawayChildJoinTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final Latches latches = new Latches();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    @Test
    void aTimedOutChildsStillRunningBodyJoinsItsChildrenAfterItsRootFinished() throws Exception {
        joinsItsChildrenAfterItsRootEnded(false);
    }

    @Test
    void aChildOfATimedOutRootStillRunningJoinsItsChildrenAfterTheRootEnded() throws Exception {
        joinsItsChildrenAfterItsRootEnded(true);
    }

    /**
     * The root's child (or, {@code rootTimesOut}, the root) times out while the child's body ignores its stop; the
     * root's body has returned. Played again with a doubled deadline if the deadline passed before the child's body
     * started (a loaded machine): such a round has no runaway.
     */
    private void joinsItsChildrenAfterItsRootEnded(boolean rootTimesOut) throws Exception {
        for (long millis = 50;; millis *= 2) {
            CountDownLatch release = latches.next();
            CompletableFuture<List<TaskResult<?>>> joined = new CompletableFuture<>();
            CompletableFuture<TaskContext> childContext = new CompletableFuture<>();
            CompletableFuture<SpawningTask<String>> childHandle = new CompletableFuture<>();
            Duration deadline = Duration.ofMillis(millis);
            SpawningTaskBuilder<String> rootBuilder = orchestrator.to(String.class).named("root");
            SpawningTask<String> root = (rootTimesOut ? rootBuilder.timeout(deadline) : rootBuilder).run(() -> {
                SpawningTaskBuilder<String> child = TaskContext.current().orElseThrow().child(String.class).named("child");
                childHandle.complete((rootTimesOut ? child : child.timeout(deadline))
                        .run(() -> runawayJoining(release, childContext, joined)));
                return "root"; // the root's body returns: it waits for its child, which a deadline ends
            });
            TaskResult<String> ended = root.result();
            SpawningTask<String> child = childHandle.get(60, TimeUnit.SECONDS);
            if (!child.info().runaway() && millis < 3_000) {
                continue; // the deadline passed before the child's body started: no body runs on
            }
            assertThat(ended.isOk()).isEqualTo(!rootTimesOut);
            assertThat(root.status()).isEqualTo(rootTimesOut ? TaskStatus.TIMED_OUT : TaskStatus.COMPLETED);
            assertThat(child.info().runaway()).isTrue();

            release.countDown(); // the root has finished (its end, letting go of its tree, is done once result() returned)
            assertThat(joined.get(60, TimeUnit.SECONDS)).as("the runaway child's own joinChildren(), after its root ended")
                    .hasSize(3);
            // once that body returned, its part of the tree is let go of too: a context kept past that lists no children
            TaskContext kept = childContext.get(60, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> kept.children().isEmpty());
            return;
        }
    }

    /**
     * The runaway child's body returns as its root lets go of its tree (released by the root's {@code onFinished},
     * which runs just before): it still joins its three children, and whichever of the two comes second lets go of
     * the child's part, never neither.
     */
    @Test
    void aRunawayChildReturningAsItsRootEndsJoinsItsChildrenAndItsPartIsLetGoOf() throws Exception {
        List<CountDownLatch> releases = new java.util.concurrent.CopyOnWriteArrayList<>();
        TaskOrchestrator racing = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.parentId() == null && task.name().equals("root")) {
                    releases.forEach(CountDownLatch::countDown);
                }
            }
        }).build();
        try {
            int raced = 0;
            // Rounds until 25 raced: on a loaded machine a child's deadline may pass before its body starts; each
            // such round doubles the deadline (up to 2 s) rather than leaving too few races to count
            Duration deadline = Duration.ofMillis(20);
            for (int round = 0; raced < 25 && round < 500; round++) {
                CountDownLatch release = latches.next();
                releases.clear();
                releases.add(release);
                CompletableFuture<List<TaskResult<?>>> joined = new CompletableFuture<>();
                CompletableFuture<TaskContext> childContext = new CompletableFuture<>();
                Duration thisRound = deadline;
                SpawningTask<String> root = racing.to(String.class).named("root").run(() -> {
                    TaskContext.current().orElseThrow().child(String.class).named("child").timeout(thisRound)
                            .run(() -> runawayJoining(release, childContext, joined));
                    return "root";
                });
                assertThat(root.result().isOk()).isTrue();
                // Started, its body waits for the root's end: it ran on past its deadline. (Not info().runaway(): false
                // again once the body returned, as it may have by now, which left too few rounds counted under load.)
                if (!childContext.isDone()) {
                    // its deadline passed before its body started (a loaded machine): no body to race
                    deadline = deadline.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2)
                            : deadline.multipliedBy(2);
                    continue;
                }
                raced++;
                assertThat(joined.get(60, TimeUnit.SECONDS)).as("round %d: the runaway child's joinChildren()", round)
                        .hasSize(3);
                TaskContext kept = childContext.get(60, TimeUnit.SECONDS);
                Awaitility.await("round " + round + ": the child's part let go of").atMost(Duration.ofSeconds(30))
                        .until(() -> kept.children().isEmpty());
            }
            assertThat(raced).as("rounds whose child's body ran on past its deadline").isGreaterThanOrEqualTo(25);
        }
        finally {
            racing.close();
        }
    }

    /** Starts three children, waits for them, then ignores its stop until released, and joins its children. */
    private static String runawayJoining(CountDownLatch release, CompletableFuture<TaskContext> context,
            CompletableFuture<List<TaskResult<?>>> joined) {
        TaskContext ctx = TaskContext.current().orElseThrow();
        context.complete(ctx);
        List<SpawningTask<String>> children = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            children.add(ctx.runChild(() -> "grandchild"));
        }
        children.forEach(SpawningTask::result);
        Latches.awaitIgnoringInterrupts(release); // a runaway: its task ends at its deadline, the body runs on
        joined.complete(ctx.joinChildren());
        return "late";
    }
}
