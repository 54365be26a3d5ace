package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
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
     * Two trees cancelled by the shutdown, one of them slow to be told of its end (another listener, called
     * before the lifecycle's, is still busy with it as the other tree ends): the warning names both. The
     * shutdown's drain read the live-roots registry, which a root leaves before its {@code onFinished} listeners
     * are called: woken by the other tree's end it found none live and returned, and the warning, written before
     * the lifecycle's listener heard of the slow tree, named only the other one (with history-size=0 nothing
     * else names it). The same window, met by the drain's first look after its cancel on a loaded machine, left
     * the name out of the one-tree test above once.
     */
    @Test
    void aTreeWhoseEndIsStillBeingAnnouncedIsNamedToo(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class))
                .withPropertyValues("sweet.async.shutdown.grace=100ms", "sweet.async.history-size=0").run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    java.util.concurrent.atomic.AtomicReference<SpawningTask<Integer>> other =
                            new java.util.concurrent.atomic.AtomicReference<>();
                    // Added before the lifecycle's listener (added as the context stops): called first
                    orchestrator.addListener(new TaskListener() {
                        @Override
                        public void onFinished(TaskInfo task) {
                            if (task.path().contains("slowly-announced")) {
                                other.get().result(); // the other tree has ended, the drain woken by its end
                                // Held until the warning is out (bounded: fixed, the stop waits for this call)
                                long until = System.nanoTime() + java.time.Duration.ofSeconds(2).toNanos();
                                while (!output.toString().contains("shutdown grace") && System.nanoTime() - until < 0) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                                }
                            }
                        }
                    });
                    sleeper(orchestrator, "slowly-announced");
                    other.set(sleeper(orchestrator, "announced-at-once"));
                });
        assertThat(output.toString().lines().filter(line -> line.contains("shutdown grace ran out")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING).contains("announced-at-once")
                .contains("slowly-announced");
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
