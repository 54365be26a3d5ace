package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of SPEC 1 (core API): each test names the promise it attacks and failed before the
 * fix that came with it. Hangs are bounded by assertTimeoutPreemptively; no timing assertions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoreReviewTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void tearDown() {
        orchestrator.close();
    }

    // ---- 1.8: joinChildren() from below -----------------------------------------------------------

    /**
     * join(), result() and get() refuse a body waiting for its own task or an ancestor (SpawningTask#join):
     * a task ends only after its children, so the wait never ends. A parent's TaskContext handed down to a
     * child (or a grandchild) and joined there is the same cycle: the waiter is one of the children waited
     * for, or below one. It hung for ever (until a deadline, if any, ended the parent TIMED_OUT); now it is
     * refused at once, naming both, and the parent completes.
     */
    @Test
    void aDescendantJoiningItsAncestorsChildrenIsRefusedNotHung() {
        for (String runtime : List.of("virtual", "platform", "single")) {
            for (int depth = 1; depth <= 2; depth++) {
                int levels = depth;
                SpawningTask<TaskResult<Integer>> parent = orchestrator.<TaskResult<Integer>>to().runtime(runtime)
                        .named("parent").run(() -> {
                            TaskContext parentContext = TaskContext.current().orElseThrow();
                            SpawningTask<Integer> child = parentContext.child(Integer.class).named("child").run(() -> {
                                if (levels == 1) {
                                    return parentContext.joinChildren().size();
                                }
                                return TaskContext.current().orElseThrow().child(Integer.class).named("grandchild")
                                        .await(() -> parentContext.joinChildren().size());
                            });
                            return child.result();
                        });
                TaskResult<TaskResult<Integer>> outcome = assertTimeoutPreemptively(HANG, parent::result,
                        () -> "a descendant joining its ancestor's children on " + runtime + " hung");
                assertThat(parent.status()).as(runtime).isEqualTo(TaskStatus.COMPLETED);
                TaskResult<Integer> childOutcome = outcome.orElseThrow();
                assertThat(childOutcome).isInstanceOf(TaskResult.Err.class);
                Throwable refusal = ((TaskResult.Err<Integer>) childOutcome).error();
                if (levels == 2) {
                    refusal = refusal.getCause(); // the child's await() failed with the grandchild's failure
                }
                assertThat(refusal).as(runtime).isInstanceOf(TaskFailedException.class)
                        .cause().isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(levels == 1 ? "child#" : "grandchild#")
                        .hasMessageContaining("parent#")
                        .hasMessageContaining("never end");
            }
        }
    }
}
