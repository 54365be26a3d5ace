package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1.2 says after(...) dependencies "form a DAG: a handle cannot name a task created later, so no
 * cycles", and chain() places the new task "like any task: a child of the task calling chain". But a
 * parent waits for its children (1.8 rule 2): a task started inside a body that depends on that body's
 * own task (or an ancestor's) closes a cycle the handle argument does not see. Whatever the engine
 * does with it (refuse it, or break the cycle), the tree must not hang for ever.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileCyclesTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aBodyChainingOnItsOwnTaskDoesNotHangTheTree() throws Exception {
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        AtomicReference<Object> chained = new AtomicReference<>();
        CountDownLatch known = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            known.await();
            try {
                chained.set(self.get().chain(value -> value + " (logged)"));
            }
            catch (RuntimeException refused) {
                chained.set(refused);
            }
            return "value";
        });
        self.set(task);
        known.countDown();
        TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(result).isEqualTo(TaskResult.ok("value"));
        if (chained.get() instanceof SpawningTask<?> continuation) {
            assertThat(assertTimeoutPreemptively(HANG, continuation::result)).isEqualTo(TaskResult.ok("value (logged)"));
        }
        else {
            assertThat(chained.get()).isInstanceOf(IllegalArgumentException.class)
                    .asString().contains("#" + task.id(), "detached()");
        }
    }

    @Test
    void aGrandchildStartedAfterItsGrandparentDoesNotHangTheTree() throws Exception {
        AtomicReference<SpawningTask<String>> root = new AtomicReference<>();
        AtomicReference<Object> dependent = new AtomicReference<>();
        CountDownLatch known = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            known.await();
            TaskContext.current().orElseThrow().runChild(() -> {
                try {
                    dependent.set(orchestrator.to(String.class).after(root.get()).run(() -> "after the root"));
                }
                catch (RuntimeException refused) {
                    dependent.set(refused);
                }
                return "child";
            });
            return "root";
        });
        root.set(task);
        known.countDown();
        TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(result).isEqualTo(TaskResult.ok("root"));
        if (dependent.get() instanceof SpawningTask<?> after) {
            assertThat(assertTimeoutPreemptively(HANG, after::result)).isEqualTo(TaskResult.ok("after the root"));
        }
        else {
            assertThat(dependent.get()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** What the refusal's message advises works, and a dependency on a sibling is no cycle. */
    @Test
    void aDetachedTaskAfterItsCreatorsTaskAndAChildAfterItsSiblingRun() throws Exception {
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        AtomicReference<SpawningTask<String>> detached = new AtomicReference<>();
        CountDownLatch known = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            known.await();
            detached.set(orchestrator.to(String.class).detached().after(self.get()).run(() -> "after its creator"));
            TaskContext ctx = TaskContext.current().orElseThrow();
            SpawningTask<String> first = ctx.runChild(() -> "first");
            SpawningTask<String> second = ctx.child(String.class).after(first).run(() -> "second");
            return first.chain(v -> v + "+chained").join() + "/" + second.join();
        });
        self.set(task);
        known.countDown();
        assertThat(assertTimeoutPreemptively(HANG, task::join)).isEqualTo("first+chained/second");
        assertThat(assertTimeoutPreemptively(HANG, () -> detached.get().join())).isEqualTo("after its creator");
    }

    /** A body waiting for its own task (join, get, result) is refused at once, naming it, instead of hanging. */
    @Test
    void aBodyWaitingForItsOwnTaskIsRefused() {
        for (String how : java.util.List.of("join", "get", "result")) {
            AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
            CountDownLatch known = new CountDownLatch(1);
            SpawningTask<String> task = orchestrator.to(String.class).named("selfish").run(() -> {
                known.await();
                try {
                    Object value = switch (how) {
                        case "join" -> self.get().join();
                        case "get" -> self.get().get();
                        default -> self.get().result();
                    };
                    return "waited: " + value;
                }
                catch (IllegalStateException refused) {
                    return refused.getMessage();
                }
            });
            self.set(task);
            known.countDown();
            assertThat(assertTimeoutPreemptively(HANG, task::join)).as(how)
                    .contains("selfish").contains("cannot wait for itself");
        }
    }

    /** A child waiting for its parent (which ends only after it) is refused; a detached task may wait. */
    @Test
    void aChildWaitingForItsParentIsRefusedADetachedOneIsNot() {
        AtomicReference<SpawningTask<String>> parent = new AtomicReference<>();
        CountDownLatch known = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> detached = new AtomicReference<>();
        SpawningTask<String> task = orchestrator.to(String.class).named("parent").run(() -> {
            known.await();
            TaskContext context = TaskContext.current().orElseThrow();
            String child = context.child(String.class).named("child").run(() -> {
                try {
                    return "waited: " + parent.get().join();
                }
                catch (IllegalStateException refused) {
                    return refused.getMessage();
                }
            }).join();
            detached.set(orchestrator.to(String.class).detached().run(() -> "after the parent: " + parent.get().join()));
            return child;
        });
        parent.set(task);
        known.countDown();
        assertThat(assertTimeoutPreemptively(HANG, task::join)).contains("child").contains("cannot wait for")
                .contains("parent").contains("its ancestor");
        assertThat(assertTimeoutPreemptively(HANG, () -> detached.get().join()))
                .startsWith("after the parent: task child").contains("its ancestor");
    }
}
