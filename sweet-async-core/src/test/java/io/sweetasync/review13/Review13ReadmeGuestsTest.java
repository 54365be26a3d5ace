package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README, "The orchestrator", said: "Completion callbacks (toCompletableFuture().thenApply(...)), listeners and
 * fallbacks never run as if inside the finished task: a task started from them is a new root (or, where they run on
 * another task's body thread — a child refused inside its parent's run(), a child's onCreated — a child of that body's
 * task, as anything started there is)." The engine hides that body from them (Carrier.hideTask), as the README's
 * sentence before says: they see no TaskContext and what they start is a root there too. The README now says so.
 */
@Timeout(60)
class Review13ReadmeGuestsTest {

    @Test
    void aTaskStartedFromAChildsOnCreatedListener() {
        ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
        AtomicReference<TaskOrchestrator> self = new AtomicReference<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                if (task.name().equals("child")) {
                    seen.put("context", TaskContext.current().isPresent());
                    SpawningTask<String> started = self.get().to(String.class).named("from-on-created").run(() -> "x");
                    seen.put("started", started);
                }
            }
        }).build()) {
            self.set(orchestrator);
            orchestrator.to(String.class).named("parent").await(() -> {
                orchestrator.to(String.class).named("child").run(() -> "c").join();
                return "p";
            });
            SpawningTask<?> started = (SpawningTask<?>) seen.get("started");
            started.join();
            assertThat(seen.get("context")).isEqualTo(false);
            assertThat(started.info().parentId()).as("a root").isNull();
        }
    }

    @Test
    void aTaskStartedFromTheFallbackOfAChildRefusedInsideItsParentsRun() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("one", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withQueueCapacity(0))
                .build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            SpawningTask<String> holder = orchestrator.to(String.class).named("holder").group("one").run(() -> {
                holding.countDown();
                release.await();
                return "h";
            });
            holding.await();
            AtomicReference<SpawningTask<String>> started = new AtomicReference<>();
            AtomicReference<Boolean> context = new AtomicReference<>();
            List<Object> out = orchestrator.<List<Object>>to().named("parent").await(() -> {
                SpawningTask<String> refused = orchestrator.to(String.class).named("refused").group("one")
                        .fallback(error -> {
                            context.set(TaskContext.current().isPresent());
                            started.set(orchestrator.to(String.class).named("from-fallback").run(() -> "x"));
                            return "fb";
                        }).run(() -> "never");
                return List.of(refused.status(), refused.join());
            });
            release.countDown();
            holder.join();
            started.get().join();
            assertThat(out).containsExactly(TaskStatus.FAILED, "fb");
            assertThat(context.get()).isFalse();
            assertThat(started.get().info().parentId()).as("a root").isNull();
        }
    }
}
