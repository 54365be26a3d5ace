package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "The orchestrator": what listeners and fallbacks see, and cancel(id). */
@Timeout(120)
class Review15ReadmeOrchestratorTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "listeners, fallbacks and completion callbacks see no TaskContext, on whichever thread they run"
    @Test
    void listenersAndFallbacksSeeNoTaskContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                seen.add("created " + task.name() + " " + TaskContext.current().isPresent());
            }

            @Override
            public void onStarted(TaskInfo task) {
                seen.add("started " + task.name() + " " + TaskContext.current().isPresent());
            }

            @Override
            public void onFinished(TaskInfo task) {
                seen.add("finished " + task.name() + " " + TaskContext.current().isPresent());
            }
        });
        String value = orchestrator.to(String.class).named("parent").await(() -> {
            return TaskContext.current().orElseThrow().child(String.class).named("child")
                    .fallback(e -> "fallback sees context " + TaskContext.current().isPresent())
                    .run(() -> {
                        throw new IllegalStateException("boom");
                    }).join();
        });
        assertThat(value).isEqualTo("fallback sees context false");
        assertThat(seen).isNotEmpty().allSatisfy(s -> assertThat(s).endsWith(" false"));
    }

    // "cancel(id) cancels a subtree"
    @Test
    void cancelByIdCancelsTheSubtree() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        SpawningTask<String> root = orchestrator.to(String.class).named("root").run(() -> {
            child.set(TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> {
                started.countDown();
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                return "never";
            }));
            return child.get().join();
        });
        started.await();
        assertThat(orchestrator.cancel(root.id())).isTrue();
        root.result();
        assertThat(root.status()).isEqualTo(TaskStatus.CANCELLED);
        child.get().result();
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
    }
    // "shutdown(grace) ... (called from a task's body ... it waits for everything but that task's own tree ...;
    // close() from a body cancels that tree too and returns)"
    @Test
    void shutdownAndCloseFromABodyDoNotWaitForTheirOwnTree() throws Exception {
        TaskOrchestrator own = TaskOrchestrator.builder().build();
        try {
            CountDownLatch childStarted = new CountDownLatch(1);
            AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
            CompletableFuture<Boolean> returned = new CompletableFuture<>();
            SpawningTask<Boolean> caller = own.to(Boolean.class).named("shutting-down").run(() -> {
                child.set(TaskContext.current().orElseThrow().child(String.class).named("own-child").run(() -> {
                    childStarted.countDown();
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                    return "never";
                }));
                childStarted.await();
                boolean drained = own.shutdown(java.time.Duration.ofMinutes(10));
                returned.complete(drained);
                return drained;
            });
            // it returns at once although its own child runs on (and true: nothing else was live)
            assertThat(returned.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.get().status()).isEqualTo(TaskStatus.RUNNING);
            // the orchestrator refuses new roots now: the body never runs
            assertThat(own.to(String.class).named("late").run(() -> "ran").result().isOk()).isFalse();
            child.get().cancel();
            child.get().result();
            assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(caller.join()).isTrue();
        } finally {
            own.close();
        }
    }

    @Test
    void closeFromABodyCancelsItsTreeAndReturns() throws Exception {
        TaskOrchestrator own = TaskOrchestrator.builder().build();
        try {
            CountDownLatch childStarted = new CountDownLatch(1);
            AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
            CompletableFuture<String> afterClose = new CompletableFuture<>();
            SpawningTask<String> closer = own.to(String.class).named("closer").run(() -> {
                child.set(TaskContext.current().orElseThrow().child(String.class).named("own-child").run(() -> {
                    childStarted.countDown();
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                    return "never";
                }));
                childStarted.await();
                own.close();
                afterClose.complete("returned");
                return "closed";
            });
            assertThat(afterClose.get(60, TimeUnit.SECONDS)).isEqualTo("returned");
            closer.result();
            assertThat(closer.status()).isEqualTo(TaskStatus.CANCELLED);
            child.get().result();
            assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        } finally {
            own.close();
        }
    }
}
