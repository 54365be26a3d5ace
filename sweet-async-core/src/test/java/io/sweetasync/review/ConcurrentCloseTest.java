package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.Work;
import io.sweetasync.hostile.LogLines;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code TaskOrchestrator.close()}: "stops the runtimes' threads and the timer, and waits for them. Idempotent."
 * A second close() made while the first was still closing (a shutdown hook and a context close, two tests'
 * tear-downs) returned at once, with the runtimes' threads still running: its caller could not rely on
 * anything being stopped.
 */
class ConcurrentCloseTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    @Test
    void aCloseMadeWhileAnotherClosesReturnsOnlyOnceTheThreadsHaveStopped() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("close-twice")).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        orchestrator.to(String.class).runtime("close-twice").run(() -> {
            started.countDown();
            Work.awaitIgnoringInterrupts(release); // holds the first close in its wait for the bodies
            return "done";
        });
        assertThat(started.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Thread first = Thread.ofPlatform().start(orchestrator::close);
        await().alias("the first close began").atMost(HANG).until(() -> !orchestrator.isAccepting());
        AtomicReference<List<String>> threadsAtReturn = new AtomicReference<>();
        Thread second = Thread.ofPlatform().start(() -> {
            orchestrator.close();
            threadsAtReturn.set(runtimeThreads());
        });
        await().alias("the second close returned or waits").atMost(HANG)
                .until(() -> !second.isAlive() || second.getState() == Thread.State.WAITING);
        release.countDown();
        second.join(HANG);
        first.join(HANG);
        assertThat(second.isAlive()).isFalse();
        assertThat(threadsAtReturn.get()).as("the runtime's threads when the second close() returned").isEmpty();
    }

    /**
     * A task's own code closing while another close waits for that task returns at once, so the task ends and
     * the other close stops its thread; waiting for the other close, it held its task live until that one gave up
     * waiting for it (5 s, then a warning naming it) and its thread until that one gave up joining it (10 s more).
     */
    @Test
    void aBodyClosingWhileAnotherCloseWaitsForItReturnsAtOnce() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("close-inside")).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        orchestrator.to(String.class).named("closer-in-body").runtime("close-inside").run(() -> {
            started.countDown();
            Work.awaitIgnoringInterrupts(closing);
            Thread.interrupted(); // the shutdown's interrupt, swallowed (as a catch-and-log does)
            orchestrator.close();
            return "done";
        });
        assertThat(started.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        AtomicReference<List<String>> threadsAtReturn = new AtomicReference<>();
        List<String> warnings;
        try (LogLines log = LogLines.capture(TaskOrchestrator.class.getName())) {
            warnings = log.formatted();
            Thread outside = Thread.ofPlatform().start(() -> {
                orchestrator.close();
                threadsAtReturn.set(runtimeThreads());
            });
            await().alias("the outside close began").atMost(HANG).until(() -> !orchestrator.isAccepting());
            closing.countDown();
            outside.join(HANG);
            assertThat(outside.isAlive()).isFalse();
        }
        assertThat(warnings).as("close() gave up waiting for the task").noneMatch(line -> line.contains("closer-in-body"));
        assertThat(threadsAtReturn.get()).as("the runtime's threads when the outside close() returned").isEmpty();
    }

    /**
     * close() called again on the closing thread itself (a completion callback of a task the close's sweep ends
     * there) returns at once: waiting for the close under way, it would wait for itself.
     */
    @Test
    void aCloseMadeAgainByTheClosingThreadItselfReturns() {
        List<Runnable> parked = new CopyOnWriteArrayList<>(); // an executor that never gets to its queue
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("parked", parked::add))
                .build();
        AtomicReference<Thread> calledOn = new AtomicReference<>();
        SpawningTask<String> queued = orchestrator.to(String.class).runtime("parked").run(() -> "queued");
        queued.toCompletableFuture().whenComplete((value, error) -> {
            calledOn.set(Thread.currentThread());
            orchestrator.close();
        });
        AtomicReference<Thread> closer = new AtomicReference<>();
        assertTimeoutPreemptively(HANG, () -> {
            closer.set(Thread.currentThread());
            orchestrator.close();
        });
        assertThat(calledOn.get()).as("the callback ran on the closing thread").isSameAs(closer.get());
    }

    private static List<String> runtimeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("sweet-async-close-")).toList();
    }
}
