package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The caller's MDC reaches a task's fallback however the task ended: its body failed, it timed out while its
 * body ignores the interrupt (the fallback runs on the deadline's thread), or it timed out before it ran
 * (queued behind another task on the {@code single} runtime).
 */
class FallbackContextTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    @Timeout(60)
    void theFallbackSeesTheCallersMdcHoweverTheTaskEnded() {
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> blocker = orchestrator.to(String.class).named("blocker").runtime("single")
                    .run(() -> {
                        blocking.countDown();
                        release.await();
                        return "blocker";
                    });
            blocking.await();
            MDC.put("requestId", "r-7");
            try {
                SpawningTask<String> failed = orchestrator.to(String.class).named("failed")
                        .fallback(error -> "failed " + MDC.get("requestId")).run(() -> {
                            throw new IOException("down");
                        });
                SpawningTask<String> runaway = orchestrator.to(String.class).named("runaway")
                        .timeout(Duration.ofMillis(50)).fallback(error -> "runaway " + MDC.get("requestId"))
                        .run(() -> {
                            while (!release.await(10, TimeUnit.MILLISECONDS)) {
                                Thread.interrupted(); // ignores the interrupt
                            }
                            return "never";
                        });
                SpawningTask<String> queued = orchestrator.to(String.class).named("queued").runtime("single")
                        .timeout(Duration.ofMillis(50)).fallback(error -> "queued " + MDC.get("requestId"))
                        .run(() -> "ran");
                MDC.remove("requestId");
                assertThat(failed.join()).isEqualTo("failed r-7");
                assertThat(runaway.join()).isEqualTo("runaway r-7");
                assertThat(queued.join()).isEqualTo("queued r-7");
            }
            finally {
                MDC.remove("requestId");
                release.countDown();
            }
            assertThat(blocker.join()).isEqualTo("blocker");
        });
    }
}
