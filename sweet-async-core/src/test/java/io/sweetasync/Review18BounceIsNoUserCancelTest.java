package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 18: a durable re-run turned away unrun by a full group (a bounce) ends {@code CANCELLED}, but nobody
 * cancelled it: its invocation stays pending and runs later. A cancel that comes after the bounce lost to it, as one
 * after a rejection did: it must answer false ("being stopped for another reason", as {@code TaskOrchestrator.cancel}
 * and the Actuator's {@code DELETE} promise), not true, which tells the caller the work is cancelled while it runs
 * again at a later look.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review18BounceIsNoUserCancelTest {

    @Test
    void aCancelAfterTheBounceLostToIt() throws Exception {
        LimiterConfig one = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                .withQueueCapacity(0);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch free = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("mail", one).build()) {
            SpawningTask<String> own = orchestrator.to(String.class).group("mail").run(() -> {
                busy.countDown();
                free.await();
                return "own";
            });
            assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
            TaskNode<Object> rerun = orchestrator.parts().createDurable(TaskSpec.empty().withGroup("mail"),
                    () -> "ran", new TaskId(4242), 1, true);
            rerun.submit();
            assertThat(rerun.bounced()).as("turned away by the full group, unrun").isTrue();
            rerun.result();
            assertThat(rerun.status()).isEqualTo(TaskStatus.CANCELLED);

            assertThat(rerun.cancel()).as("a cancel after the bounce: the invocation runs again later").isFalse();
            assertThat(orchestrator.cancel(rerun.id())).isFalse();
            free.countDown();
            assertThat(own.join()).isEqualTo("own");
        }
        finally {
            free.countDown();
        }
    }
}
