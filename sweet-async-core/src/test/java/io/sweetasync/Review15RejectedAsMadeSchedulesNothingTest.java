package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A root rejected as it is made (submitted once the orchestrator stopped accepting, or turned away by its group's
 * full queue) never ran and has no children: there is no runaway to bound. Each one scheduled
 * {@link TaskDeadline#RUNAWAY_GRACE} on the orchestrator's clock all the same, never cancelled, holding the task and
 * its exception until it fired: under a flood of rejections (callers retrying on them, thousands a second) retained
 * memory grew with the rejection rate times the grace. The clock here moves only when told, so every such action
 * stays pending where it can be counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review15RejectedAsMadeSchedulesNothingTest {

    private static final int FLOOD = 500;
    private static final int HISTORY = 100;

    @Test
    void rootsSubmittedAfterShutdownScheduleNothingAndAreNotHeld() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).historySize(HISTORY).build();
        try {
            assertThat(orchestrator.shutdown(Duration.ofSeconds(5))).isTrue();
            int pendingBefore = clock.pendingCount();
            List<WeakReference<SpawningTask<Integer>>> made = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                SpawningTask<Integer> task = orchestrator.to(Integer.class).named("late").run(() -> 1);
                assertRejected(task.result(), RejectionReason.SHUTDOWN);
                made.add(new WeakReference<>(task));
            }
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(clock.pendingCount() - pendingBefore)
                        .as("clock actions left pending by %s rejected roots", FLOOD).isZero();
                softly.assertThat(stillReachable(made)).as("rejected roots still reachable, of %s", FLOOD).isZero();
                softly.assertThat(clock.requestedDelays()).as("delays asked of the clock")
                        .doesNotContain(TaskDeadline.RUNAWAY_GRACE);
                // Still in the history, as every finished root (their facts, not the tasks: those are collected).
                softly.assertThat(orchestrator.recent()).hasSize(HISTORY)
                        .allSatisfy(info -> assertThat(info.status()).isEqualTo(TaskStatus.FAILED));
            });
        }
        finally {
            orchestrator.close();
        }
    }

    @Test
    void rootsTurnedAwayByAFullGroupQueueScheduleNothingAndAreNotHeld() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).historySize(0)
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 0, Duration.ofMinutes(10))).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        try {
            SpawningTask<Integer> holder = orchestrator.to(Integer.class).named("holder").group("g").run(() -> {
                holding.countDown();
                release.await();
                return 0;
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).as("the holder took the group's only permit").isTrue();
            int pendingBefore = clock.pendingCount();
            int requestsBefore = clock.requestedDelays().size();
            List<WeakReference<SpawningTask<Integer>>> made = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                SpawningTask<Integer> task = orchestrator.to(Integer.class).named("turned-away").group("g").run(() -> 1);
                assertRejected(task.result(), RejectionReason.QUEUE_FULL);
                made.add(new WeakReference<>(task));
            }
            List<Duration> asked = clock.requestedDelays();
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(clock.pendingCount() - pendingBefore)
                        .as("clock actions left pending by %s rejected roots", FLOOD).isZero();
                softly.assertThat(stillReachable(made)).as("rejected roots still reachable, of %s", FLOOD).isZero();
                softly.assertThat(asked.subList(requestsBefore, asked.size()))
                        .as("delays asked of the clock by the rejected roots").isEmpty();
            });
            release.countDown();
            assertThat(holder.result().orElseThrow()).isZero();
        }
        finally {
            release.countDown();
            orchestrator.close();
        }
    }

    /**
     * A root rejected as it is made that waits for others ({@code after}, {@code chain}) is ended before its
     * dependencies are looked at: it armed its deadline all the same (a schedule and a cancel under the clock's queue
     * lock) and registered itself as each dependency's dependent, then removed itself, each under that dependency's
     * monitor (also the lock of its children list): callers still submitting during a shutdown, all after one live
     * task, queued on it. The test holds that monitor: a rejected root that takes it waits.
     */
    @Test
    void rootsWaitingForOthersRejectedAsMadeArmNoDeadlineNorTakeTheirDependenciesMonitors() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).historySize(0).build();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        try {
            SpawningTask<Integer> dependency = orchestrator.to(Integer.class).named("dependency").run(() -> 1);
            assertThat(dependency.result().orElseThrow()).isEqualTo(1);
            assertThat(orchestrator.shutdown(Duration.ofSeconds(5))).isTrue();
            int requestsBefore = clock.requestedDelays().size();
            Object monitor = ((TaskNode<?>) dependency).outcome;
            Thread holder = Thread.ofPlatform().name("holds-the-dependency's-monitor").start(() -> {
                synchronized (monitor) {
                    held.countDown();
                    try {
                        letGo.await();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            assertThat(held.await(20, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<List<TaskResult<Integer>>> submitted = CompletableFuture.supplyAsync(() -> List.of(
                    orchestrator.to(Integer.class).named("after").after(dependency).timeout(Duration.ofMinutes(1))
                            .run(() -> 2).result(),
                    dependency.chain(one -> one + 2).result()), Executors.newVirtualThreadPerTaskExecutor());
            List<TaskResult<Integer>> results;
            try {
                results = submitted.get(20, TimeUnit.SECONDS);
            }
            catch (TimeoutException stuck) {
                results = null;
            }
            letGo.countDown();
            holder.join(20_000);
            assertThat(results).as("rejected roots submitted while another thread holds their dependency's monitor")
                    .isNotNull();
            results.forEach(result -> assertRejected(result, RejectionReason.SHUTDOWN));
            List<Duration> asked = clock.requestedDelays();
            assertThat(asked.subList(requestsBefore, asked.size())).as("delays asked of the clock by the rejected roots")
                    .isEmpty();
        }
        finally {
            letGo.countDown();
            orchestrator.close();
        }
    }

    private static void assertRejected(TaskResult<Integer> result, RejectionReason why) {
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<Integer>) result).error()).isInstanceOfSatisfying(TaskRejectedException.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(why));
    }

    /**
     * How many referents are still reachable once they all were collected, or after 100 GCs (the count of tries bounds
     * the wait: nothing is timed).
     */
    private static long stillReachable(List<? extends WeakReference<?>> refs) {
        for (int tries = 0; tries < 100; tries++) {
            System.gc();
            if (refs.stream().allMatch(ref -> ref.get() == null)) {
                return 0;
            }
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return refs.stream().filter(ref -> ref.get() != null).count();
    }
}
