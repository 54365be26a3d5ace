package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A finished task's queue wait does not change with the clock, also in the instant a retry's resubmission that
 * lost to the task's end marks it waiting ({@link TaskFigures#recordQueued}: its wait begins, then it finds the
 * task finished and ends that wait adding nothing). Read in that instant, the wait grew with the clock:
 * {@code RuntimeReviewTest.aTaskCancelledAsItsRetryIsQueuedKeepsItsFinalQueueWait} saw it once in a whole-module
 * run (0 s at the end, 1 h after the clock moved an hour). Here that instant is made by hand.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LateResubmissionQueueWaitTest {

    @Test
    void aWaitMarkedAfterTheEndCountsNothing() throws Exception {
        ManualClock clock = new ManualClock();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
            SpawningTask<Integer> task = finished(orchestrator);
            TaskNode<?> node = (TaskNode<?>) task;
            Duration atEnd = task.metrics().queueWait();
            // the resubmission's first two writes, its look at "finished" not yet made
            node.queuedAtNanos = clock.nanoTime();
            node.waiting = true;
            clock.advance(Duration.ofHours(1));
            assertThat(task.metrics().queueWait()).as("queue wait an hour after the end").isEqualTo(atEnd);
            assertThat(orchestrator.find(task.id()).map(info -> info.metrics().queueWait()))
                    .as("the snapshot's").hasValueSatisfying(wait -> assertThat(wait).isEqualTo(atEnd));
        }
    }

    /** The same resubmission made whole: it finds the task finished before it begins a wait, and begins none. */
    @Test
    void aResubmissionAfterTheEndBeginsNoWait() throws Exception {
        ManualClock clock = new ManualClock();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
            SpawningTask<Integer> task = finished(orchestrator);
            TaskNode<?> node = (TaskNode<?>) task;
            Duration atEnd = task.metrics().queueWait();
            node.recordQueued(clock.nanoTime());
            assertThat(node.waiting).isFalse();
            clock.advance(Duration.ofHours(1));
            assertThat(task.metrics().queueWait()).isEqualTo(atEnd);
        }
    }

    private static SpawningTask<Integer> finished(TaskOrchestrator orchestrator) {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> 1);
        assertThat(task.result()).isInstanceOf(TaskResult.Ok.class);
        return task;
    }
}
