package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.internal.EndedChildren;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task told to keep only its newest few ended children ({@link EndedChildren#keepAtMost}, a pipeline's task for
 * its workers) drops the older ended ones as it adds children, so one that starts children without end stays
 * bounded; and dropping them must not break what the children list is for: a parent finishes only after every
 * child it still counts, and its stop reaches every child not ended, however the drops interleave with both.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndedChildrenTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aTaskThatKeepsFewEndedChildrenStaysBoundedHoweverManyItStarts() {
        List<Integer> seen = new ArrayList<>();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            EndedChildren.keepAtMost(context, 2);
            for (int i = 0; i < 500; i++) {
                int index = i;
                context.child(Integer.class).named("child-" + i).run(() -> index).join();
                seen.add(context.children().size());
            }
            return context.children().size();
        });
        // each add drops all but the two newest ended children: at most those two, the one just added, and one whose
        // end is still being recorded (join() answers as its outcome is decided; it leaves its parent just after)
        assertThat(parent.join()).isBetween(3, 4);
        assertThat(seen).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(4));
        TaskInfo done = orchestrator.find(parent.id()).orElseThrow();
        assertThat(done.children()).hasSizeBetween(3, 4);
        assertThat(done.childCount()).as("children started, kept or dropped").isEqualTo(500);
        assertThat(done.children()).extracting(TaskInfo::name).endsWith("child-497", "child-498", "child-499");
    }

    @Test
    void aTaskThatKeepsEveryChildKeepsThemAll() {
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 50; i++) {
                context.runChild(() -> 1).join();
            }
            return context.children().size();
        });
        assertThat(parent.join()).isEqualTo(50);
    }

    @Test
    void childrenStillRunningAreNeverDroppedAndTheParentWaitsForThem() throws Exception {
        for (int round = 0; round < 200; round++) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch bodyReturns = new CountDownLatch(1);
            AtomicInteger finishedHeld = new AtomicInteger();
            int width = 200;
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                EndedChildren.keepAtMost(context, 0);
                for (int i = 0; i < width; i++) {
                    if (i % 2 == 0) {
                        context.runChild(() -> 0); // ends at once, dropped by a later add, maybe while it ends
                    }
                    else {
                        context.runChild(() -> {
                            release.await();
                            return finishedHeld.incrementAndGet();
                        });
                    }
                }
                bodyReturns.countDown();
                return width;
            });
            // the held children count, none dropped: the parent waits for them after its body returned
            bodyReturns.await();
            assertThat(orchestrator.find(parent.id()).orElseThrow().childCount()).isGreaterThanOrEqualTo(width / 2);
            assertThat(parent.isDone()).as("round %d: finished before its running children", round).isFalse();
            release.countDown();
            assertThat(parent.join()).isEqualTo(width);
            assertThat(finishedHeld.get()).as("round %d", round).isEqualTo(width / 2);
        }
    }

    @Test
    void aStopReachesEveryRunningChildWhileEndedOnesAreDropped() throws Exception {
        for (int round = 0; round < 100; round++) {
            List<SpawningTask<Integer>> held = new CopyOnWriteArrayList<>();
            CountDownLatch halfway = new CountDownLatch(1);
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                EndedChildren.keepAtMost(context, 1);
                for (int i = 0; i < 400 && !context.isCancellationRequested(); i++) {
                    context.runChild(() -> 0);
                    held.add(context.child(Integer.class).run(() -> {
                        Thread.sleep(Long.MAX_VALUE);
                        return 1;
                    }));
                    if (i == 100) {
                        halfway.countDown();
                    }
                }
                return 0;
            });
            halfway.await();
            parent.cancel();
            // a child the stop missed sleeps for good: the wait times out
            CompletableFuture.allOf(held.stream().map(child -> child.toCompletableFuture().handle((v, e) -> v))
                    .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            // each future answers as the cancel is decided; the status says CANCELLED once the body has returned
            int r = round;
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(held).as("round %d: every held child stopped", r)
                            .allSatisfy(child -> assertThat(child.status()).isEqualTo(TaskStatus.CANCELLED)));
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED));
        }
    }

    @Test
    void refusesANegativeCountNamingIt() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            try {
                EndedChildren.keepAtMost(TaskContext.current().orElseThrow(), -1);
                return "accepted";
            }
            catch (IllegalArgumentException ex) {
                return ex.getMessage();
            }
        });
        assertThat(task.join()).contains("-1");
    }
}
