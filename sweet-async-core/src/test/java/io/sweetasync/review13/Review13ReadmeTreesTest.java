package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTask;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Task trees" and "The orchestrator": what a child takes from its parent, and what {@code recent()} keeps. */
@Timeout(120)
class Review13ReadmeTreesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "a child that sets no runtime or priority takes its parent's (not its group, timeout or retry: those come
    // from the builder or the orchestrator's defaults)"
    @Test
    void aChildTakesItsParentsRuntimeAndPriorityButNotItsGroupOrRetry() {
        AtomicInteger childAttempts = new AtomicInteger();
        List<TaskInfo> children = orchestrator.<List<TaskInfo>>to().named("parent").runtime("platform")
                .priority(TaskPriority.HIGH).group("parents").timeout(Duration.ofSeconds(60))
                .retry(RetryPolicy.fixed(3, Duration.ZERO)).await(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    SpawningTask<String> viaContext = ctx.child(String.class).named("by-context").run(() -> {
                        childAttempts.incrementAndGet();
                        throw new IOException("no retry for me");
                    });
                    SpawningTask<String> viaOrchestrator = orchestrator.to(String.class).named("by-orchestrator")
                            .run(() -> Thread.currentThread().isVirtual() ? "virtual" : "platform");
                    ctx.joinChildren();
                    return List.of(viaContext.info(), viaOrchestrator.info());
                });
        for (TaskInfo child : children) {
            assertThat(child.parentId()).as(child.name()).isNotNull();
            assertThat(child.runtime()).as(child.name()).isEqualTo("platform");
            assertThat(child.priority()).as(child.name()).isEqualTo(TaskPriority.HIGH);
            assertThat(child.group()).as(child.name()).isNull();
        }
        assertThat(children.get(0).status()).isEqualTo(TaskStatus.FAILED);
        assertThat(children.get(0).attempts()).isEqualTo(1);
        assertThat(childAttempts).hasValue(1);
        assertThat(children.get(1).status()).isEqualTo(TaskStatus.COMPLETED);
    }

    // "Only a task of the same orchestrator becomes a child: AsyncTask.to(...) inside a body of an orchestrator you
    // built yourself starts a root of the global one."
    @Test
    void asyncTaskToInsideABodyOfAnOrchestratorOfYoursStartsARootOfTheGlobalOne() {
        TaskOrchestrator global = TaskOrchestrator.builder().build();
        TaskOrchestrator previous = TaskOrchestrator.setGlobal(global);
        try {
            SpawningTask<String> started = orchestrator.<SpawningTask<String>>to().named("mine").await(() -> {
                SpawningTask<String> task = AsyncTask.to(String.class).named("global-task").run(() -> "g");
                task.join();
                return task;
            });
            assertThat(started.info().parentId()).isNull();
            assertThat(started.info().path()).matches("global-task#\\d+");
            assertThat(global.find(started.id())).isPresent();
            assertThat(orchestrator.recent()).singleElement()
                    .satisfies(root -> assertThat(root.childCount()).isZero());
        }
        finally {
            TaskOrchestrator.setGlobal(previous);
            global.close();
        }
    }

    // "recent() the last finished roots (each node with its first 100 children)"
    @Test
    void recentKeepsEachNodesFirst100Children() {
        orchestrator.to(String.class).named("wide").await(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (int i = 0; i < 150; i++) {
                int n = i;
                ctx.child(String.class).named("c" + i).run(() -> {
                    if (n == 0) {
                        TaskContext inner = TaskContext.current().orElseThrow();
                        for (int j = 0; j < 120; j++) {
                            inner.child(Integer.class).named("g" + j).run(() -> 1);
                        }
                    }
                    return "c";
                });
            }
            assertThat(ctx.joinChildren()).hasSize(150).allMatch(TaskResult::isOk);
            return "w";
        });
        TaskInfo root = orchestrator.recent().getLast();
        assertThat(root.name()).isEqualTo("wide");
        assertThat(root.childCount()).isEqualTo(150);
        assertThat(root.children()).hasSize(100);
        assertThat(root.children()).extracting(TaskInfo::name).startsWith("c0", "c1", "c2").endsWith("c99");
        TaskInfo first = root.children().getFirst();
        assertThat(first.childCount()).isEqualTo(120);
        assertThat(first.children()).hasSize(100);
        assertThat(first.children()).extracting(TaskInfo::name).startsWith("g0").endsWith("g99");
    }
}
