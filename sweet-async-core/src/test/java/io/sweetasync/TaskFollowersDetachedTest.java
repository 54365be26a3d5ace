package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskFollowers#tell} reads the lists of an object its outcome let go of, outside the lock: nothing may write
 * to it then. Here a future's callback, run as the futures are settled, completes two of its siblings not settled yet:
 * each is forgotten ({@link TaskOutcome#forgetFuture}), which, had it reached the detached object, would have
 * compacted the list under the settling loop (two slots emptied before the end, two more here: more than half of six)
 * and moved the last future into a slot the loop had passed, never to be settled.
 */
class TaskFollowersDetachedTest {

    @Test
    void aCallbackCompletingSiblingFuturesAsTheyAreSettledLeavesTheOthersToBeSettled() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                for (int round = 0; round < 200; round++) {
                    CountDownLatch finish = new CountDownLatch(1);
                    SpawningTask<String> job = orchestrator.to(String.class).named("job").run(() -> {
                        finish.await();
                        return "done";
                    });
                    List<CompletableFuture<String>> futures = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        futures.add(job.toCompletableFuture());
                    }
                    futures.get(0).complete("early"); // slots 0 and 1 emptied: 2 of 6, not compacted
                    futures.get(1).complete("early");
                    List<Boolean> mine = new ArrayList<>();
                    // future 2 is settled first of the four left; its callback completes 3 and 4
                    CompletableFuture<String> told = futures.get(2).whenComplete((value, error) -> {
                        mine.add(futures.get(3).complete("mine"));
                        mine.add(futures.get(4).complete("mine"));
                    });
                    finish.countDown();
                    assertThat(job.join()).isEqualTo("done");
                    assertThat(told.get(30, TimeUnit.SECONDS)).isEqualTo("done"); // and its callback ran
                    assertThat(mine).as("round %d: the callback ran before its siblings were settled", round)
                            .containsExactly(true, true);
                    assertThat(futures.get(3).get(30, TimeUnit.SECONDS)).isEqualTo("mine");
                    assertThat(futures.get(4).get(30, TimeUnit.SECONDS)).isEqualTo("mine");
                    assertThat(futures.get(5).get(10, TimeUnit.SECONDS)).as("round %d: the last future", round)
                            .isEqualTo("done");
                }
            }
        });
    }
}
