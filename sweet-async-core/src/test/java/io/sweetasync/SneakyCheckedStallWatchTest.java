package io.sweetasync;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.hostile.LogLines;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stall watch, one thread for every pooled runtime of the JVM, keeps watching after a look at one runtime fails.
 * It caught an unchecked failure only: a logging backend of the user's (a {@code java.util.logging} handler, where
 * {@link System.Logger} goes without another) written without checked exceptions threw one from the stall's warning,
 * and the watch's thread died: no stall of any runtime was said again, nor the end of this one, and nothing started
 * another watch while a runtime was watched.
 */
@Timeout(60)
class SneakyCheckedStallWatchTest {

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
    void aLogHandlerThatThrowsACheckedExceptionOnTheWarningDoesNotEndTheWatch() throws Exception {
        Logger logger = Logger.getLogger(StallWatch.class.getName());
        AtomicBoolean thrown = new AtomicBoolean();
        Handler failing = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING && thrown.compareAndSet(false, true)) {
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
            await().atMost(Duration.ofSeconds(30)).untilTrue(thrown);
            latch.countDown();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(opener.get(10, TimeUnit.SECONDS)).isEqualTo("opened");
            await("the watch looks on after the warning failed").atMost(Duration.ofSeconds(20)).until(() -> log
                    .formatted().contains("runtime 'one' is no longer stalled: it starts its queued tasks again"));
        }
        finally {
            logger.removeHandler(failing);
        }
    }
}
