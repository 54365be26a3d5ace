package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.2: {@code timeout(Duration)} is the "deadline for the whole task"; 1.5: "A timeout bounds the
 * caller: waiters are released at the deadline with {@code TaskTimeoutException}".
 */
class DeadlineAndDependenciesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        orchestrator.close();
    }

    /** Fails if the deadline is armed only once the dependencies are done (as it was). */
    @Test
    void aTimeoutBoundsTheCallerAlsoWhileTheTaskWaitsForItsDependencies() {
        SpawningTask<Integer> slow = orchestrator.to(Integer.class).named("slow").run(() -> {
            release.await();
            return 1;
        });
        SpawningTask<Integer> bounded = orchestrator.to(Integer.class).named("bounded").after(slow)
                .timeout(Duration.ofMillis(50)).run(() -> 2);
        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> catchThrowable(bounded::join),
                "join() of a task with a 50 ms timeout is still waiting for its dependency after 10 s");
        assertThat(thrown).isInstanceOf(TaskTimeoutException.class);
        assertThat(bounded.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }

    /** A task timed out while it waited for its dependency is a timed-out task: its fallback gives the value, the body never runs. */
    @Test
    void aTaskTimedOutWhileWaitingForItsDependencyTakesItsFallbackAndNeverRuns() {
        SpawningTask<Integer> slow = orchestrator.to(Integer.class).named("slow").run(() -> {
            release.await();
            return 1;
        });
        AtomicBoolean ran = new AtomicBoolean();
        SpawningTask<Integer> bounded = orchestrator.to(Integer.class).named("bounded").after(slow)
                .timeout(Duration.ofMillis(50)).fallback(error -> error instanceof TaskTimeoutException ? -1 : -2)
                .run(() -> {
                    ran.set(true);
                    return 2;
                });
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), bounded::join)).isEqualTo(-1);
        assertThat(bounded.status()).isEqualTo(TaskStatus.TIMED_OUT);
        release.countDown();
        assertThat(slow.join()).isEqualTo(1);
        assertThat(ran).as("the body of a task that timed out before it started").isFalse();
        assertThat(bounded.info().attempts()).isZero();
    }
}
