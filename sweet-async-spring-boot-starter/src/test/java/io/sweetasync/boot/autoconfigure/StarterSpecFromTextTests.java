package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * SPEC 4 read as an outside suite would, for what the other starter tests leave out: SPEC 1.5's "any
 * {@code Duration} a user passes is either rejected naming it or honoured; a huge value means practically
 * never" applied to the starter's duration properties and to {@code @AsyncTask(timeout)}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StarterSpecFromTextTests {

    private static final String HUGE = Long.MAX_VALUE + "s";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @ParameterizedTest
    @ValueSource(strings = { "sweet.async.default-timeout", "sweet.async.shutdown.grace",
            "sweet.async.groups.g.max-wait", "sweet.async.default-retry.max-delay",
            "sweet.async.default-retry.initial-delay", "sweet.async.store.retention" })
    void aHugeDurationPropertyIsHonouredOrRejectedNamingIt(String property) {
        // initial-delay must not exceed max-delay (2s by default): both huge
        runner.withPropertyValues(property + "=" + HUGE, "sweet.async.default-retry.max-delay=" + HUGE,
                "sweet.async.default-retry.max-retries=1").run(context -> {
            if (context.getStartupFailure() != null) {
                assertThat(context.getStartupFailure()).hasStackTraceContaining(property);
                return;
            }
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            assertThat(orchestrator.to(String.class).group("g").await(() -> "ran")).isEqualTo("ran");
        });
    }

    @Test
    void aHugeDefaultTimeoutLetsATaskRunAndBeCancelled() {
        runner.withPropertyValues("sweet.async.default-timeout=" + HUGE, "sweet.async.shutdown.grace=" + HUGE)
                .run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    CountDownLatch started = new CountDownLatch(1);
                    SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
                        started.countDown();
                        Thread.sleep(60_000);
                        return 1;
                    });
                    started.await();
                    assertThat(task.cancel()).isTrue();
                    assertThat(task.result().isOk()).isFalse();
                    assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
                });
    }

    @Test
    void annotationTimeoutsInEitherFormAndHugeAreAccepted() {
        runner.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class,
                SweetAsyncAspectAutoConfiguration.class))
                .withUserConfiguration(Timeouts.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    TimedBean bean = context.getBean(TimedBean.class);
                    assertThat(bean.iso()).startsWith("task:");
                    assertThat(bean.simple()).startsWith("task:");
                    assertThat(bean.huge()).startsWith("task:");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Timeouts {
        @Bean
        TimedBean timedBean() {
            return new TimedBean();
        }
    }

    static class TimedBean {
        @io.sweetasync.annotation.AsyncTask(timeout = "PT30S")
        public String iso() {
            return current();
        }

        @io.sweetasync.annotation.AsyncTask(timeout = "30s")
        public String simple() {
            return current();
        }

        @io.sweetasync.annotation.AsyncTask(timeout = "9223372036854775807s")
        public String huge() {
            return current();
        }

        private static String current() {
            return io.sweetasync.TaskContext.current().map(c -> "task:" + c.name()).orElse("no task");
        }
    }

    /**
     * The {@code asynctasks} cancel answers {@code cancelled} as {@code TaskOrchestrator.cancel(id)} does: true
     * when the task ends {@code CANCELLED}, by this request or an earlier one. Its javadoc said "whether this
     * request cancelled the task (false: it was already stopping)", and the dashboard read a false as "was
     * already being cancelled" (a false means the task is ending otherwise: its deadline passed, it was
     * rejected).
     */
    @Test
    void theCancelAnswerSaysWhetherTheTaskEndsCancelledAlsoByAnEarlierRequest() {
        runner.withConfiguration(AutoConfigurations.of(SweetAsyncEndpointsAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=asynctasks").run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    AsyncTasksEndpoint endpoint = context.getBean(AsyncTasksEndpoint.class);
                    CountDownLatch release = new CountDownLatch(1);
                    CountDownLatch inBody = new CountDownLatch(1);
                    SpawningTask<Integer> stubborn = orchestrator.to(Integer.class).run(() -> {
                        inBody.countDown();
                        awaitIgnoringInterrupts(release);
                        return 1;
                    });
                    try {
                        inBody.await();
                        String id = stubborn.id().toString();
                        assertThat(endpoint.cancel(id).cancelled()).isTrue();
                        assertThat(stubborn.status()).as("its body still returning").isEqualTo(TaskStatus.RUNNING);
                        assertThat(endpoint.cancel(id).cancelled()).as("cancelled by the first request").isTrue();
                    }
                    finally {
                        release.countDown();
                    }
                    assertThat(stubborn.result().isOk()).isFalse();
                    assertThat(stubborn.status()).isEqualTo(TaskStatus.CANCELLED);
                    assertThat(endpoint.cancel(stubborn.id().toString())).as("finished: 404").isNull();
                });
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
