package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FollowedWork's promise: "started() turns true once and stays true" (so an anywhere() handle never reads
 * RUNNING then QUEUED). A reader that saw the first placement begun, and is preempted before it records
 * STARTED, loses its compare-and-set to the handle's body re-placing the work (the handle's retry after the
 * first work failed): the next read follows the new, not yet begun, placement and answers false.
 */
@Timeout(30)
class FollowedWorkForwardOnlyTest {

    /** A placement whose started() answers {@code answer}, after running {@code whileAsked} (the preemption). */
    private static PlacedTask placement(BooleanSupplier answer, Runnable whileAsked) {
        return new PlacedTask() {
            @Override
            public String member() {
                return "m";
            }

            @Override
            public RemoteOutcome await() {
                throw new UnsupportedOperationException();
            }

            @Override
            public RemoteOutcome await(Duration timeout) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void cancel() {
            }

            @Override
            public boolean started() {
                whileAsked.run();
                return answer.getAsBoolean();
            }
        };
    }

    /** A placement that never started (its member had gone) is not work begun: the handle stays QUEUED until it ends. */
    @Test
    void aLostPlacementIsNotBegun() {
        FollowedWork followed = new FollowedWork();
        followed.placed(PlacedTask.lost("gone", "it was no longer a member of the cluster"));
        assertThat(followed.started()).isFalse();
    }

    @Test
    void aReaderThatSawTheWorkBegunNeverSeesItNotBegunAfter() throws Exception {
        FollowedWork followed = new FollowedWork();
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch replaced = new CountDownLatch(1);
        PlacedTask second = placement(() -> false, () -> { });
        PlacedTask first = placement(() -> true, () -> {
            asked.countDown();
            try {
                // the reader is preempted here, between reading the placement and recording STARTED
                assertThat(replaced.await(10, TimeUnit.SECONDS)).isTrue();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        followed.placed(first); // attempt 1: placed, and its body began there
        CompletableFuture<Boolean> firstRead = CompletableFuture.supplyAsync(followed::started);
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
        followed.placed(second); // attempt 1's work failed; the handle's retry places it again
        replaced.countDown();
        assertThat(firstRead.get(10, TimeUnit.SECONDS)).as("the reader saw the work begun (RUNNING)").isTrue();
        assertThat(followed.started()).as("true once, true for good: never QUEUED after RUNNING").isTrue();
    }
}
