package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The shutdown's warning names the trees the shutdown cancelled, not tasks cancelled before it. */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownWarningTests {

    @Test
    void theWarningNamesOnlyTheTreesCancelledByTheShutdown(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class))
                .withPropertyValues("sweet.async.shutdown.grace=100ms").run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    SpawningTask<Integer> earlier = sleeper(orchestrator, "cancelled-by-the-user");
                    earlier.cancel();
                    earlier.result();
                    sleeper(orchestrator, "still-running-at-shutdown");
                });
        assertThat(output).contains("shutdown grace").contains("still-running-at-shutdown")
                .doesNotContain("cancelled-by-the-user");
    }

    /** Without a history ({@code history-size=0}, a valid setting) the warning still names them: it named none. */
    @Test
    void withoutAHistoryTheWarningStillNamesTheTreesCancelledByTheShutdown(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class))
                .withPropertyValues("sweet.async.shutdown.grace=100ms", "sweet.async.history-size=0").run(context ->
                        sleeper(context.getBean(TaskOrchestrator.class), "running-without-history"));
        assertThat(output).contains("shutdown grace").contains("running-without-history");
    }

    /**
     * A body that ignores the interrupt: the warning named nothing (the list held only trees that ended
     * cancelled), and the context's close waited for it twice (the stop's shutdown, then the bean's close: 5 s
     * each after the grace). Now it is named, and the close does not wait for it again.
     */
    @Test
    void aBodyIgnoringTheInterruptIsNamedAndWaitedForOnce(CapturedOutput output) {
        CountDownLatch release = new CountDownLatch(1);
        long[] closing = new long[1];
        try {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class))
                    .withPropertyValues("sweet.async.shutdown.grace=100ms").run(context -> {
                        CountDownLatch started = new CountDownLatch(1);
                        context.getBean(TaskOrchestrator.class).to(Integer.class).named("stubborn").run(() -> {
                            started.countDown();
                            while (true) {
                                try {
                                    release.await();
                                    return 1;
                                }
                                catch (InterruptedException ignored) {
                                    // ignores it
                                }
                            }
                        });
                        started.await();
                        closing[0] = System.nanoTime();
                    });
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - closing[0])).as("the context's close")
                    .isLessThan(java.time.Duration.ofSeconds(9));
        }
        finally {
            release.countDown();
        }
        assertThat(output).contains("shutdown grace").contains("ignoring the interrupt").contains("stubborn")
                .as("no empty list of trees that ended cancelled").doesNotContain("grace: []").doesNotContain(": []");
    }

    private static SpawningTask<Integer> sleeper(TaskOrchestrator orchestrator, String name) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named(name).run(() -> {
            started.countDown();
            Thread.sleep(Long.MAX_VALUE);
            return 1;
        });
        started.await();
        return task;
    }
}
