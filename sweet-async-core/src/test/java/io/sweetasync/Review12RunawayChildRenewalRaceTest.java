package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the history's patched renewals: a runaway child (timed out, its body still running) whose body
 * returns while its root is ending, so that the renewal its final figures bring races the root's history add (and
 * retake) and its forgetTree. The root's entry must end up showing the child once, with the child's final figures.
 *
 * <p>The child's deadline (20 ms) counts its wait for a thread of the {@code platform} pool: on a loaded machine it
 * can pass before the body starts (about 1 round in 50 with both cores busy), and the child ends with no attempt,
 * its figures {@code UNAVAILABLE} for good, no runaway and no renewal. Such a round proves nothing about the race: it
 * is played again with a doubled deadline, the last try past {@link #LONGEST_DEADLINE} (20 ms to 5.12 s); a child
 * whose body ran must end {@code MEASURED}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review12RunawayChildRenewalRaceTest {

    private static final Duration FIRST_DEADLINE = Duration.ofMillis(20);
    private static final Duration LONGEST_DEADLINE = Duration.ofSeconds(3);
    /**
     * How often the rounds' two waits look: Awaitility's default (100 ms, and 100 ms before the first look) made
     * them most of the test's time, 60 rounds of at least 200 ms.
     */
    private static final Duration POLL = Duration.ofMillis(20);

    static volatile Object sink;

    @Test
    void aRunawayChildsFinalFiguresReachItsEndedRootsEntry() throws Exception {
        Work.assumeCounters();
        List<String> stale = new ArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE)
                .historySize(50).build()) {
            for (int round = 0; round < 60; round++) {
                int mode = round % 3;
                Duration deadline = FIRST_DEADLINE;
                while (!play(orchestrator, round, mode, deadline, stale)) {
                    assertThat(deadline).as("round %d: the child's body never started before its deadline", round)
                            .isLessThan(LONGEST_DEADLINE);
                    deadline = deadline.multipliedBy(2);
                }
            }
        }
        assertThat(stale).as("history entries left with a runaway child's pending figures").isEmpty();
    }

    /**
     * One round: a root whose child on the {@code platform} pool spins until released, past {@code deadline};
     * released before its deadline (mode 2), by the root as it ends (mode 0) or once the root has ended (mode 1).
     * A child whose body ran must be a runaway in modes 0 and 1. Returns false if its body never started (its deadline
     * passed first): nothing raced.
     */
    private static boolean play(TaskOrchestrator orchestrator, int round, int mode, Duration deadline,
            List<String> stale) {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<SpawningTask<Integer>> runaway = new AtomicReference<>();
        AtomicBoolean wasRunaway = new AtomicBoolean();
        SpawningTask<String> root = orchestrator.to(String.class).named("root").run(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (int i = 0; i < 5; i++) {
                int n = i;
                ctx.runChild(() -> n);
            }
            SpawningTask<Integer> child = ctx.child(Integer.class).named("runaway").runtime("platform")
                    .timeout(deadline).run(() -> spinUntil(release));
            runaway.set(child);
            while (!child.status().isTerminal()) {
                Thread.onSpinWait();
            }
            wasRunaway.set(child.info().runaway());
            if (mode == 0) {
                release.countDown(); // the body returns as the root ends
            }
            return "r";
        });
        if (mode == 2) {
            release.countDown(); // the body returns before its deadline, before the root ends
        }
        else if (mode == 1) {
            while (!root.status().isTerminal()) {
                Thread.onSpinWait();
            }
            release.countDown(); // the body returns after the root ended
        }
        try {
            assertThat(root.join()).isEqualTo("r");
        }
        finally {
            release.countDown(); // mode 0: the root has released it already
        }
        SpawningTask<Integer> child = runaway.get();
        // Final: no longer PENDING, the body (if it ran) returned and its attempt's figures in.
        await().atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(() -> orchestrator.runaways().isEmpty()
                && !child.metrics().cpuTimeNanos().isPending());
        TaskInfo childInfo = child.info();
        if (childInfo.attempts() == 0) {
            // Its deadline passed while it waited for a thread of the pool: it never ran, and there is nothing to
            // measure. Anything else short of MEASURED is a failure.
            assertThat(child.metrics().cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            return false;
        }
        assertThat(child.metrics().cpuTimeNanos().source()).as("round %d: a child whose body ran", round)
                .isEqualTo(ResourceValue.Source.MEASURED);
        if (mode != 2) {
            assertThat(wasRunaway).as("round %d mode %d: a child whose body ran is a runaway", round, mode).isTrue();
        }
        TaskId childId = child.id();
        TaskId rootId = root.id();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(POLL).until(() -> {
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
        return true;
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
