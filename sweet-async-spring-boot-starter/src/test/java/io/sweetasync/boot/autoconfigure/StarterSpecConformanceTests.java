package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * SPEC 4 promises about {@code @AsyncTask}, as a user who knows only the SPEC would check them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StarterSpecConformanceTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Beans.class);

    /**
     * "Any other return type runs as a task while the caller waits": a caller that stops waiting (its
     * thread is interrupted) holds no handle to the task, so the task must not go on running unreachable,
     * as {@code SpawningTaskBuilder.await} does not let it.
     */
    @Test
    void anInterruptedCallerOfABlockingAsyncTaskMethodDoesNotLeaveItsTaskRunning() {
        runner.run(context -> {
            Blocker blocker = context.getBean(Blocker.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    blocker.block();
                }
                catch (Throwable ex) {
                    thrown.set(ex);
                }
            });
            await().alias("the method's body started").atMost(Duration.ofSeconds(30))
                    .until(() -> blocker.hasStarted());
            caller.interrupt();
            caller.join(30_000);
            assertThat(thrown.get()).as("the interrupted caller was released").isNotNull();
            try {
                await().alias("the task the caller left ended").atMost(Duration.ofSeconds(30))
                        .until(() -> orchestrator.liveCount() == 0);
                assertThat(orchestrator.recent()).extracting(TaskInfo::status).containsExactly(TaskStatus.CANCELLED);
            }
            finally {
                blocker.release();
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        Blocker blocker() {
            return new Blocker();
        }
    }

    static class Blocker {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        public boolean hasStarted() {
            return started.getCount() == 0;
        }

        public void release() {
            release.countDown();
        }

        @AsyncTask(name = "blocker")
        public String block() throws InterruptedException {
            started.countDown();
            release.await();
            return "done";
        }
    }
}
