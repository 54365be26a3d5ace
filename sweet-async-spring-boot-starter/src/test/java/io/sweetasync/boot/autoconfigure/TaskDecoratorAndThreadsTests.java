package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskFailedException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.TaskDecorator;

class TaskDecoratorAndThreadsTests {

    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    /** Captures the tenant where work is submitted and sets it where it runs, like a security decorator. */
    static TaskDecorator tenantDecorator() {
        return runnable -> {
            String tenant = TENANT.get();
            return () -> {
                String previous = TENANT.get();
                TENANT.set(tenant);
                try {
                    runnable.run();
                }
                finally {
                    TENANT.set(previous);
                }
            };
        };
    }

    @Test
    void theApplicationsTaskDecoratorWrapsEveryAttemptAndChild() {
        runner.withBean(TaskDecorator.class, TaskDecoratorAndThreadsTests::tenantDecorator).run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            List<String> seen = new CopyOnWriteArrayList<>();
            TENANT.set("acme");
            try {
                String value = orchestrator.to(String.class).runtime("platform")
                        .retry(RetryPolicy.fixed(1, Duration.ZERO))
                        .run(() -> {
                            seen.add(TENANT.get());
                            seen.add(TaskContext.current().orElseThrow().runChild(TENANT::get).join());
                            if (TaskContext.current().orElseThrow().attempt() == 1) {
                                throw new IOException("retry me");
                            }
                            return "done for " + TENANT.get();
                        }).join();
                assertThat(value).isEqualTo("done for acme");
            }
            finally {
                TENANT.remove();
            }
            assertThat(seen).containsExactly("acme", "acme", "acme", "acme");
        });
    }

    /** Two decorators, none primary: neither applies (as documented), and start-up says so instead of nothing. */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void severalDecoratorsWithoutAPrimaryOneAreNamedInAWarning(org.springframework.boot.test.system.CapturedOutput output) {
        runner.withBean("first", TaskDecorator.class, TaskDecoratorAndThreadsTests::tenantDecorator)
                .withBean("second", TaskDecorator.class, () -> runnable -> runnable).run(context -> {
                    TENANT.set("acme");
                    try {
                        assertThat(context.getBean(TaskOrchestrator.class).to(String.class).runtime("platform")
                                .await(() -> String.valueOf(TENANT.get()))).isEqualTo("null");
                    }
                    finally {
                        TENANT.remove();
                    }
                });
        assertThat(output).contains("2 TaskDecorator beans").contains("@Primary");
        runner.withBean("first", TaskDecorator.class, TaskDecoratorAndThreadsTests::tenantDecorator,
                        definition -> definition.setPrimary(true))
                .withBean("second", TaskDecorator.class, () -> runnable -> runnable).run(context -> {
                    TENANT.set("acme");
                    try {
                        assertThat(context.getBean(TaskOrchestrator.class).to(String.class).runtime("platform")
                                .await(TENANT::get)).as("the primary one applies").isEqualTo("acme");
                    }
                    finally {
                        TENANT.remove();
                    }
                });
    }

    /**
     * A decorator that catches whatever its runnable throws (to log it, as executors' decorators often do)
     * does not turn a body's Error into a completed task: the task fails with it, as without a decorator.
     */
    @Test
    @Timeout(60)
    void aDecoratorThatSwallowsWhatItsRunnableThrowsDoesNotHideTheBodysError() {
        TaskDecorator catchAll = runnable -> () -> {
            try {
                runnable.run();
            }
            catch (Throwable ignored) {
                // logged and dropped, as the executor had nobody to tell
            }
        };
        runner.withBean(TaskDecorator.class, () -> catchAll).run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            TaskResult<String> result = orchestrator.to(String.class).run(() -> {
                throw new AssertionError("broken invariant");
            }).result();
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(TaskFailedException.class).cause().isInstanceOf(AssertionError.class)
                    .hasMessage("broken invariant"));
        });
    }

    @Test
    void defaultRuntimeIsVirtualUnlessTheApplicationTurnedVirtualThreadsOff() {
        runner.run(context -> assertThat(context.getBean(TaskOrchestrator.class).to(Boolean.class)
                .await(() -> Thread.currentThread().isVirtual())).isTrue());
        runner.withPropertyValues("spring.threads.virtual.enabled=false").run(context -> assertThat(
                context.getBean(TaskOrchestrator.class).to(Boolean.class).await(() -> Thread.currentThread().isVirtual()))
                .isFalse());
        runner.withPropertyValues("spring.threads.virtual.enabled=false", "sweet.async.default-runtime=virtual")
                .run(context -> assertThat(context.getBean(TaskOrchestrator.class).to(Boolean.class)
                        .await(() -> Thread.currentThread().isVirtual())).as("an explicit choice wins").isTrue());
    }
}
