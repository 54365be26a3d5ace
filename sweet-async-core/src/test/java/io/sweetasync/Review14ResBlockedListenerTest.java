package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A listener is a guest: one that blocks in {@code onResourcesUpdated} holds back its own later calls (one task at
 * a time), but not the engine's bookkeeping of other tasks' final figures. README: once final they are "announced
 * once: onResourcesUpdated after onFinished, the history's entry and the store's record renewed"; the history
 * ({@code find}, {@code recent}) must not keep showing {@code PENDING} figures that are final, for every task that
 * ends after one listener call got stuck.
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review14ResBlockedListenerTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch stuck = new CountDownLatch(1);
    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
            .listener(new TaskListener() {
                @Override
                public void onResourcesUpdated(TaskInfo task) {
                    if (task.name().equals("blocker")) {
                        stuck.countDown();
                        try {
                            release.await();
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            })
            .build();

    @AfterEach
    void close() {
        release.countDown();
        sampling.close();
    }

    @Test
    void aListenerStuckInOnResourcesUpdatedDoesNotKeepOtherTasksFiguresPendingInTheHistory() throws Exception {
        assumeThat(sampling.parts().attribution()).as("JDK Flight Recorder available").isNotNull();
        SpawningTask<Integer> blocker = sampling.to(Integer.class).named("blocker").runtime("virtual").run(() -> 1);
        blocker.join();
        assertThat(stuck.await(60, TimeUnit.SECONDS)).as("the listener got its call for the blocker").isTrue();

        SpawningTask<Integer> other = sampling.to(Integer.class).named("other").runtime("virtual").run(() -> 2);
        other.join();
        TaskNode<?> node = (TaskNode<?>) other;
        await().atMost(Duration.ofSeconds(30)).until(() -> !node.resourcesPending());
        assertThat(other.metrics().bytesRead().isPending()).as("its own metrics are final").isFalse();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            TaskInfo shown = sampling.find(other.id()).orElseThrow();
            assertThat(shown.metrics().bytesRead().isPending())
                    .as("the history's entry of a task whose figures are final: %s", shown.metrics()).isFalse();
        });
    }

    @Test
    void closingWhileAListenerIsStuckInOnResourcesUpdatedDoesNotWaitForIt() throws Exception {
        assumeThat(sampling.parts().attribution()).as("JDK Flight Recorder available").isNotNull();
        sampling.to(Integer.class).named("blocker").runtime("virtual").run(() -> 1).join();
        assertThat(stuck.await(60, TimeUnit.SECONDS)).as("the listener got its call for the blocker").isTrue();
        SpawningTask<Integer> pending = sampling.to(Integer.class).named("other").runtime("virtual").run(() -> 2);
        pending.join();
        Thread closer = Thread.ofPlatform().name("review14-closer").start(sampling::close);
        closer.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(closer.isAlive()).as("close() returned while the listener is still stuck").isFalse();
        assertThat(release.getCount()).as("the listener was still stuck").isOne();
        await().atMost(Duration.ofSeconds(30)).until(() -> !pending.metrics().bytesRead().isPending());
    }
}
