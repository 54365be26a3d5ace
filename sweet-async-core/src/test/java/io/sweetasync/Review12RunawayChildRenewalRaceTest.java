package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the history's patched renewals: a runaway child (timed out, its body still running) whose body
 * returns while its root is ending, so that the renewal its final figures bring races the root's history add (and
 * retake) and its forgetTree. The root's entry must end up showing the child once, with the child's final figures.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12RunawayChildRenewalRaceTest {

    static volatile Object sink;

    @Test
    void aRunawayChildsFinalFiguresReachItsEndedRootsEntry() throws Exception {
        Work.assumeCounters();
        List<String> stale = new ArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE)
                .historySize(50).build()) {
            for (int round = 0; round < 60; round++) {
                CountDownLatch release = new CountDownLatch(1);
                AtomicReference<SpawningTask<Integer>> runaway = new AtomicReference<>();
                int mode = round % 3;
                SpawningTask<String> root = orchestrator.to(String.class).named("root").run(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    for (int i = 0; i < 5; i++) {
                        int n = i;
                        ctx.runChild(() -> n);
                    }
                    SpawningTask<Integer> child = ctx.child(Integer.class).named("runaway").runtime("platform")
                            .timeout(Duration.ofMillis(20)).run(() -> spinUntil(release));
                    runaway.set(child);
                    while (!child.status().isTerminal()) {
                        Thread.onSpinWait();
                    }
                    if (mode == 0) {
                        release.countDown(); // the body returns as the root ends
                    }
                    return "r";
                });
                if (mode == 1) {
                    while (!root.status().isTerminal()) {
                        Thread.onSpinWait();
                    }
                }
                release.countDown();
                assertThat(root.join()).isEqualTo("r");
                SpawningTask<Integer> child = runaway.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> orchestrator.runaways().isEmpty()
                        && child.metrics().cpuTimeNanos().source() == ResourceValue.Source.MEASURED);
                TaskId childId = child.id();
                TaskId rootId = root.id();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        TaskInfo entry = orchestrator.find(rootId).orElseThrow();
                        TaskInfo shown = only(entry, childId);
                        return shown != null && shown.metrics().equals(child.metrics());
                    });
                }
                catch (org.awaitility.core.ConditionTimeoutException ex) {
                    TaskInfo entry = orchestrator.find(rootId).orElseThrow();
                    stale.add("round " + round + " mode " + mode + ": " + describe(entry, childId) + " vs task "
                            + child.metrics().cpuTimeNanos());
                }
            }
        }
        assertThat(stale).as("history entries left with a runaway child's pending figures").isEmpty();
    }

    private static int spinUntil(CountDownLatch release) {
        double v = 0;
        while (release.getCount() > 0) {
            for (int i = 0; i < 2_000; i++) {
                v += Math.sqrt(v + i);
            }
            sink = new byte[64];
        }
        sink = v;
        return 1;
    }

    /** The node with this id, if shown exactly once in the tree; else null. */
    private static TaskInfo only(TaskInfo top, TaskId id) {
        List<TaskInfo> found = new ArrayList<>();
        ArrayDeque<TaskInfo> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            TaskInfo info = pending.pop();
            if (info.id().equals(id)) {
                found.add(info);
            }
            info.children().forEach(pending::push);
        }
        return found.size() == 1 ? found.get(0) : null;
    }

    private static String describe(TaskInfo top, TaskId id) {
        TaskInfo shown = only(top, id);
        return shown == null ? "child not shown once among " + top.children().size()
                : "child shown with " + shown.metrics().cpuTimeNanos() + " status " + shown.status();
    }
}
