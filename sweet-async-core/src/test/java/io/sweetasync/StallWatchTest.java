package io.sweetasync;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.hostile.LogLines;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pooled runtime whose every thread runs a body waiting for something the engine cannot see, while tasks queue on
 * it, says so in the log, naming the runtime, the tasks and where they wait: found by a new user's trial of the Spring
 * starter, an {@code @AsyncTask} fan-out waiting on {@code CompletableFuture.allOf(...).get()} on a busy pool waited
 * for ever with nothing said anywhere. A pool busy computing is saturated, not stalled, and is not warned about.
 */
@Timeout(60)
class StallWatchTest {

    private Duration before;

    @BeforeEach
    void shortStall() {
        before = StallWatch.stallAfter;
        StallWatch.stallAfter = Duration.ofSeconds(1);
    }

    @AfterEach
    void restore() {
        StallWatch.stallAfter = before;
    }

    @Test
    void aSingleRuntimeWhoseBodyWaitsOnALatchForATaskQueuedBehindItIsNamedOnceAndItsEndSaid() throws Exception {
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("one")).build()) {
            Stall stall = stallOne(orchestrator);
            await().atMost(Duration.ofSeconds(30)).until(() -> warnings(log).size() == 1);
            String warning = warnings(log).getFirst();
            assertThat(warning).contains("runtime 'one'", "1 task(s) queued", stall.waiter().id().toString(),
                    "in java.util.concurrent.CountDownLatch.await called from " + StallWatchTest.class.getName(),
                    "joinChildren()", "CompletableFuture.allOf");
            Thread.sleep(2_500); // three more looks: said once per stall
            assertThat(warnings(log)).hasSize(1);
            stall.end(log);
        }
    }

    /**
     * The watch, one thread for every pooled runtime of the JVM, keeps watching after a look at one runtime fails. It
     * caught an unchecked failure only: a logging backend of the user's (a {@code java.util.logging} handler, where
     * {@link System.Logger} goes without another) written without checked exceptions threw one from the stall's
     * warning, and the watch's thread died: no stall of any runtime was said again, nor the end of this one, and
     * nothing started another watch while a runtime was watched.
     */
    @Test
    void aLogHandlerThatThrowsACheckedExceptionOnTheWarningDoesNotEndTheWatch() throws Exception {
        Logger logger = Logger.getLogger(StallWatch.class.getName());
        AtomicBoolean thrown = new AtomicBoolean();
        Handler failing = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == java.util.logging.Level.WARNING && thrown.compareAndSet(false, true)) {
                    throw sneaky(new IOException("the log file's disk is full"));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(failing);
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("one")).build()) {
            Stall stall = stallOne(orchestrator);
            await().atMost(Duration.ofSeconds(30)).untilTrue(thrown);
            stall.end(log); // said by the watch, which looks on after the warning failed
        }
        finally {
            logger.removeHandler(failing);
        }
    }

    /** Runtime 'one' (a single thread) stalled: its body waits on a latch for the task queued behind it. */
    private static Stall stallOne(TaskOrchestrator orchestrator) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        SpawningTask<String> waiter = orchestrator.to(String.class).named("waiter").runtime("one").run(() -> {
            waiting.countDown();
            latch.await(); // the task below counts it down, but it is queued behind this body
            return "done";
        });
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        SpawningTask<String> opener = orchestrator.to(String.class).named("opener").runtime("one").run(() -> {
            latch.countDown();
            return "opened";
        });
        return new Stall(latch, waiter, opener);
    }

    private record Stall(CountDownLatch latch, SpawningTask<String> waiter, SpawningTask<String> opener) {

        /** Lets the waiter go (as the opener would) and checks both end and the stall's end is said. */
        void end(LogLines log) throws Exception {
            latch.countDown();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(opener.get(10, TimeUnit.SECONDS)).isEqualTo("opened");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> log.formatted().contains("runtime 'one' is no longer stalled: it starts its queued tasks again"));
        }
    }

    /** The trial's case: parents on a pool of two each wait on allOf(...).get() for children queued on that pool. */
    @Test
    void aFanOutWaitingOnAllOfOnItsOwnBusyPoolIsNamed() throws Exception {
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("duo", 2)).build()) {
            CountDownLatch bothRunning = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            List<SpawningTask<Integer>> parents = List.of(1, 2).stream().map(n -> orchestrator.to(Integer.class)
                    .named("report-" + n).runtime("duo").run(() -> {
                        bothRunning.countDown();
                        bothRunning.await();
                        List<CompletableFuture<Integer>> parts = List.of(1, 2, 3).stream().map(part -> orchestrator
                                .to(Integer.class).runtime("duo").run(() -> {
                                    release.await();
                                    return part;
                                }).toCompletableFuture()).toList();
                        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                        return parts.stream().mapToInt(CompletableFuture::join).sum();
                    })).toList();
            await().atMost(Duration.ofSeconds(30)).until(() -> warnings(log).size() == 1);
            assertThat(warnings(log).getFirst()).contains("runtime 'duo'", "6 task(s) queued", "report-1", "report-2",
                    "in java.util.concurrent.CompletableFuture.get called from " + StallWatchTest.class.getName());
            release.countDown(); // no use: the parts never start; a cancel (or get's own timeout) ends a wait
            assertThat(parents.getFirst().cancel()).isTrue();
            parents.getFirst().result(); // cancel() says it ends CANCELLED: it does once its body returned
            assertThat(parents.getFirst().status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(parents.getLast().get(30, TimeUnit.SECONDS)).as("its parts ran on the thread freed").isEqualTo(6);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> log.formatted().stream().anyMatch(line -> line.startsWith("runtime 'duo' is no longer stalled")));
        }
    }

    @Test
    void aPoolBusyComputingIsNotWarnedAbout() throws Exception {
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("busy", 1)).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch spinning = new CountDownLatch(1);
            SpawningTask<Long> spinner = orchestrator.to(Long.class).runtime("busy").run(() -> {
                spinning.countDown();
                long spins = 0;
                while (!stop.get()) {
                    spins++;
                }
                return spins;
            });
            assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = orchestrator.to(String.class).runtime("busy").run(() -> "ran");
            Thread.sleep(3_500); // the stall's second passed, and more looks: none warns (its thread is RUNNABLE)
            assertThat(log.messages()).isEmpty();
            stop.set(true);
            assertThat(spinner.get(10, TimeUnit.SECONDS)).isPositive();
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
        }
    }

    private static List<String> warnings(LogLines log) {
        return log.formatted().stream().filter(line -> line.contains("none started")).toList();
    }
}
