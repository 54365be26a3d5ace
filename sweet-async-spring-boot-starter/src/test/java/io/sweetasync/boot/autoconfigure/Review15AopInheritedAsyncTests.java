package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskContext;
import io.sweetasync.annotation.AsyncTask;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/** Review 15 of the {@code @AsyncTask} aspect: Spring's {@code @Async} on a bean class inheriting an annotated method. */
class Review15AopInheritedAsyncTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    /**
     * Spring's {@code @Async} on the bean's class stops start-up naming the method also when the class inherits the
     * annotated method: the check looked for {@code @Async} on the class declaring the method (the base class), so
     * the application started, {@code @Async} (applied to every method of its class) ran ahead of the task: a blocking
     * method's every call failed with {@code @Async}'s own "invalid return type" error, and a {@code CompletableFuture}
     * or {@code void} one started its task from {@code @Async}'s executor, outside the calling task's tree.
     */
    @Test
    void springsAsyncOnABeanClassInheritingTheAnnotatedMethodStopsStartUp() {
        runner.withUserConfiguration(SpringAsyncEnabled.class).withBean(AsyncSubclass.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("AnnotatedBase.where()")
                    .hasMessageContaining("@Async").hasMessageContaining("AsyncSubclass");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class SpringAsyncEnabled {
    }

    static class AnnotatedBase {

        @AsyncTask
        public String where() {
            return TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    @Async
    static class AsyncSubclass extends AnnotatedBase {
    }
}
