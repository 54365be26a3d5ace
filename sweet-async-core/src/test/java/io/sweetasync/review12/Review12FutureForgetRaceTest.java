package io.sweetasync.review12;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review: futures of toCompletableFuture() completed by their callers while the task ends (forgetFuture and
 * its compaction against afterCompletion), and a captured context's children()/joinChildren() racing the root's end.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12FutureForgetRaceTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void futuresCompletedByCallersWhileTheTaskEndsAreEachSettledOnceWithOneOutcome() throws Exception {
        int futures = 48;
        for (int round = 0; round < 400; round++) {
            CountDownLatch finish = new CountDownLatch(1);
            SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
                finish.await();
                return "done";
            });
            List<CompletableFuture<String>> all = new ArrayList<>();
            List<AtomicInteger> calls = new ArrayList<>();
            for (int i = 0; i < futures; i++) {
                CompletableFuture<String> future = job.toCompletableFuture();
                AtomicInteger count = new AtomicInteger();
                future.whenComplete((value, error) -> count.incrementAndGet());
                all.add(future);
                calls.add(count);
            }
            // Some completed before the end (compaction), the rest raced against it.
            for (int i = 0; i < futures; i += 3) {
                all.get(i).complete("early");
            }
            boolean[] mine = new boolean[futures];
            CountDownLatch go = new CountDownLatch(1);
            int round0 = round;
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                }
                catch (InterruptedException ex) {
                    return;
                }
                for (int i = 1; i < futures; i += 3) {
                    mine[i] = (round0 % 2 == 0) ? all.get(i).complete("mine")
                            : all.get(i).completeExceptionally(new IllegalStateException("mine"));
                }
            });
            go.countDown();
            finish.countDown();
            caller.join(60_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(job.join()).isEqualTo("done");
            for (int i = 0; i < futures; i++) {
                CompletableFuture<String> future = all.get(i);
                String value;
                try {
                    value = future.get(30, TimeUnit.SECONDS);
                }
                catch (java.util.concurrent.ExecutionException ex) {
                    value = "failed:" + ex.getCause().getMessage();
                }
                if (i % 3 == 0) {
                    assertThat(value).as("round %d future %d", round, i).isEqualTo("early");
                }
                else if (i % 3 == 1 && mine[i]) {
                    assertThat(value).as("round %d future %d", round, i).isIn("mine", "failed:mine");
                }
                else {
                    assertThat(value).as("round %d future %d", round, i).isEqualTo("done");
                }
            }
            for (int i = 0; i < futures; i++) {
                AtomicInteger count = calls.get(i);
                for (int w = 0; w < 3000 && count.get() == 0; w++) {
                    Thread.sleep(1);
                }
                assertThat(count.get()).as("round %d callbacks of future %d", round, i).isOne();
            }
        }
    }

    @Test
    void aCapturedContextsChildrenAndJoinRacingTheRootsEndHaveNoHoles() throws Exception {
        for (int round = 0; round < 300; round++) {
            AtomicReference<TaskContext> captured = new AtomicReference<>();
            CountDownLatch added = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            SpawningTask<String> job = orchestrator.to(String.class).named("root").run(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                captured.set(ctx);
                for (int i = 0; i < 50; i++) {
                    int n = i;
                    ctx.runChild(() -> "c" + n);
                }
                added.countDown();
                finish.await();
                return "r";
            });
            assertThat(added.await(60, TimeUnit.SECONDS)).isTrue();
            TaskContext ctx = captured.get();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 200 && failure.get() == null; i++) {
                        List<TaskInfo> children = ctx.children();
                        assertThat(children.size()).isIn(0, 50);
                        assertThat(children).doesNotContainNull();
                        List<TaskResult<?>> results = ctx.joinChildren();
                        assertThat(results.size()).isIn(0, 50);
                        assertThat(results).doesNotContainNull();
                        for (int j = 0; j < results.size(); j++) {
                            assertThat(results.get(j)).isEqualTo(new TaskResult.Ok<>("c" + j));
                        }
                    }
                }
                catch (Throwable error) {
                    failure.compareAndSet(null, error);
                }
            });
            finish.countDown();
            assertThat(job.join()).isEqualTo("r");
            reader.join(60_000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).as("round %d", round).isNull();
        }
    }
}
