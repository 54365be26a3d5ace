package io.sweetasync;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue #19: a task's followers run on the thread that ends it, inside {@link TaskEnding#finish}, no longer in a
 * completion of its outcome (which caught whatever they threw). Whatever escapes them must not keep the task from
 * leaving its parent: the parent would never end.
 *
 * <p>The failure here is a user's clock whose cancel throws a checked exception as a dependent ends. When these
 * tests were written it escaped {@link TaskEnding#cancel(io.sweetasync.spi.TaskClock.Scheduled)} and the dependent's
 * end, into its upstream's followers; that cancel now catches it (see {@code hostile.SneakyCheckedExceptionsTest}), so
 * the dependent ends and these tests check the end to end promise: the upstream leaves its parent and every dependent
 * is told. The catches of {@code Throwable} in {@code TaskOutcome.runFollowers} and {@code Trampoline.runOne} are no longer
 * reached from here.
 */
class FollowersFailureTest {

    /**
     * A dependent's end, run as its upstream fails, lets a checked exception out (a clock of the user's whose cancel
     * throws one, as code in a language without checked exceptions may): the upstream still leaves its parent.
     */
    @Test
    void aCheckedExceptionOutOfADependentsEndStillLetsTheUpstreamLeaveItsParent() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            CancelThrowingClock clock = new CancelThrowingClock();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
                CountDownLatch childMade = new CountDownLatch(1);
                CountDownLatch go = new CountDownLatch(1);
                AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
                SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
                    TaskContext context = TaskContext.current().orElseThrow();
                    child.set(context.child(String.class).named("child").run(() -> {
                        go.await();
                        throw new IllegalStateException("the child fails");
                    }));
                    childMade.countDown();
                    return "p"; // the parent ends once its child has left it
                });
                childMade.await();
                // a root waiting for the child, with a deadline on the clock: its end cancels the deadline
                orchestrator.to(String.class).named("dependent").timeout(Duration.ofHours(1))
                        .after(child.get()).run(() -> "never");
                go.countDown();
                assertThat(parent.result()).isEqualTo(TaskResult.ok("p"));
                assertThat(clock.cancels).as("the dependent's deadline was cancelled as it ended").hasValue(1);
            }
        });
    }

    /**
     * As above, with a second dependent registered after the one whose end throws: it is still told that the upstream
     * failed, and ends (the upstream's other followers are not dropped).
     */
    @Test
    void aCheckedExceptionOutOfADependentsEndLeavesTheOtherDependentsTold() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            CancelThrowingClock clock = new CancelThrowingClock();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
                CountDownLatch go = new CountDownLatch(1);
                SpawningTask<String> upstream = orchestrator.to(String.class).named("upstream").run(() -> {
                    go.await();
                    throw new IllegalStateException("the upstream fails");
                });
                orchestrator.to(String.class).named("dependent").timeout(Duration.ofHours(1))
                        .after(upstream).run(() -> "never");
                SpawningTask<String> other = orchestrator.to(String.class).named("other").after(upstream)
                        .run(() -> "never");
                go.countDown();
                assertThat(other.result()).isInstanceOf(TaskResult.Err.class);
                assertThat(other.status().isTerminal()).isTrue();
            }
        });
    }

    /** The system's time; its scheduled actions never run, and their cancel throws a checked exception. */
    private static final class CancelThrowingClock implements TaskClock {
        final AtomicInteger cancels = new AtomicInteger();

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            return () -> {
                cancels.incrementAndGet();
                throw sneaky(new IOException("the clock's cancel failed"));
            };
        }
    }
}
