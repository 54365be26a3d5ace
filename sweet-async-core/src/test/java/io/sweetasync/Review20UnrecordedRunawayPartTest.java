package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.hostile.Latches;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task's body that begins after its forced end looked for running bodies, but before that end stopped the task
 * (a retry claiming its attempt while the end of a task deeper in the tree ran its listeners), runs on past its
 * task's end unrecorded by the runaway registry. The root's end leaves the part of the tree below such a body whole
 * (the body may still join its children); it was let go of at the body's return only if the registry had recorded
 * the body: a handle or context kept of that task then kept its children, and their values, for good. Now it is let
 * go of whenever a body returns after its task ended. Nor was such a body counted among the runaways (no warning, no
 * pooled thread replaced, {@code runaways()} without it) though its snapshot said {@code runaway}: the forced end now
 * looks again once it stopped the task, before it ends it.
 *
 * <p>The window, held open by user code: tree {@code R > C > G > GG}. C and G each failed their first attempt and
 * wait for a retry (an hour, on a manual clock); GG's body ignores its stop. A user's {@code cancel()} of C wins C's
 * stop, and its walk down C's subtree is held (in the clock's {@code cancel} of C's retry), so G is not stopped. R's
 * deadline passes: its stop finds C stopped already and does not descend; its forced end lists R, C, G, GG, sees
 * only GG's body running, and ends GG first. GG's {@code onFinished} listener moves the clock: G's retry starts its
 * second attempt, unstopped, and the listener returns once that body runs. G is then stopped and ended (its body
 * runs on), then C and R: R's end lets go of its tree but for the part below G's running body.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review20UnrecordedRunawayPartTest {

    private final Latches latches = new Latches();
    private final HoldingClock clock = new HoldingClock(latches.next());
    private final CountDownLatch secondAttemptStarted = new CountDownLatch(1);
    private final AtomicBoolean retryMoved = new AtomicBoolean();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).listener(new TaskListener() {
        @Override
        public void onFinished(TaskInfo task) {
            if (task.name().equals("GG") && retryMoved.compareAndSet(false, true)) {
                clock.manual.advance(Duration.ofHours(2)); // G's retry: its second attempt starts, unstopped
                try {
                    secondAttemptStarted.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }).build();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    @Test
    void thePartBelowABodyThatStartedAsItsTaskWasForcedToEndIsLetGoOfAtItsReturn() throws Exception {
        CountDownLatch grandchildRelease = latches.next();
        CountDownLatch grandchildStarted = new CountDownLatch(1);
        CountDownLatch secondAttemptRelease = latches.next();
        CompletableFuture<SpawningTask<String>> cHandle = new CompletableFuture<>();
        CompletableFuture<SpawningTask<String>> gHandle = new CompletableFuture<>();
        CompletableFuture<TaskContext> gContext = new CompletableFuture<>();
        RetryPolicy onceInAnHour = RetryPolicy.fixed(1, Duration.ofHours(1));

        SpawningTask<String> root = orchestrator.to(String.class).named("R").timeout(Duration.ofMinutes(1)).run(() -> {
            cHandle.complete(TaskContext.current().orElseThrow().child(String.class).named("C").retry(onceInAnHour)
                    .run(() -> {
                        TaskContext c = TaskContext.current().orElseThrow();
                        if (c.attempt() == 1) {
                            gHandle.complete(c.child(String.class).named("G").retry(onceInAnHour).run(() -> {
                                TaskContext g = TaskContext.current().orElseThrow();
                                if (g.attempt() == 1) {
                                    gContext.complete(g);
                                    g.child(String.class).named("GG").run(() -> {
                                        grandchildStarted.countDown();
                                        Latches.awaitIgnoringInterrupts(grandchildRelease);
                                        return "gg";
                                    });
                                    throw new IllegalStateException("G fails its first attempt");
                                }
                                secondAttemptStarted.countDown();
                                Latches.awaitIgnoringInterrupts(secondAttemptRelease); // ignores its stop
                                return "g";
                            }));
                            throw new IllegalStateException("C fails its first attempt");
                        }
                        return "c";
                    }));
            return "root";
        });
        SpawningTask<String> c = cHandle.get(30, TimeUnit.SECONDS);
        SpawningTask<String> g = gHandle.get(30, TimeUnit.SECONDS);
        assertThat(grandchildStarted.await(30, TimeUnit.SECONDS)).isTrue();
        // C and G wait for their retries (handles stored: a stop of C now cancels C's, in the clock's cancel)
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> retryArmed(c) && retryArmed(g));

        Thread canceller = Thread.ofPlatform().unstarted(c::cancel);
        clock.holdCancelsOn(canceller);
        canceller.start();
        assertThat(clock.held.await(30, TimeUnit.SECONDS)).as("C's cancel held before it walks C's subtree").isTrue();

        clock.manual.advance(Duration.ofMinutes(1)); // R's deadline: its forced end, GG's listener, G's second attempt
        assertThat(root.result().isOk()).isFalse();
        assertThat(root.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(g.status()).as("G, stopped as C was").isEqualTo(TaskStatus.CANCELLED);
        assertThat(g.info().runaway()).as("G's second attempt runs on past G's end").isTrue();
        assertThat(orchestrator.runaways()).as("runaways now: G's body and GG's").extracting(TaskInfo::name)
                .containsExactlyInAnyOrder("G", "GG");
        TaskContext kept = gContext.get(30, TimeUnit.SECONDS);
        assertThat(kept.children()).as("G's part is whole while its body runs (it may join its children)").hasSize(1);

        clock.release.countDown();
        canceller.join(30_000);
        grandchildRelease.countDown();
        secondAttemptRelease.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !g.info().runaway());
        Awaitility.await("the runaways counted out as their bodies returned").atMost(Duration.ofSeconds(10))
                .until(() -> orchestrator.runawayCount() == 0);
        Awaitility.await("G's part let go of once its body returned").atMost(Duration.ofSeconds(10))
                .until(() -> kept.children().isEmpty());
    }

    private static boolean retryArmed(SpawningTask<?> task) {
        Occasional rare = ((TaskNode<?>) task).occasionalOrNull();
        return rare != null && rare.retryHandle != null;
    }

    /** A manual clock whose handles' {@code cancel()}, called on one chosen thread, waits until released. */
    private static final class HoldingClock implements TaskClock {

        final ManualClock manual = new ManualClock();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release;
        private volatile Thread holding;

        HoldingClock(CountDownLatch release) {
            this.release = release;
        }

        void holdCancelsOn(Thread thread) {
            holding = thread;
        }

        @Override
        public Instant now() {
            return manual.now();
        }

        @Override
        public long nanoTime() {
            return manual.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            Scheduled scheduled = manual.schedule(delay, action);
            return () -> {
                if (Thread.currentThread() == holding) {
                    held.countDown();
                    Latches.awaitIgnoringInterrupts(release);
                }
                scheduled.cancel();
            };
        }
    }
}
