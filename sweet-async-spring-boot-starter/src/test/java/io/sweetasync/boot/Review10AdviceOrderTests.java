package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskContext;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.annotation.Before;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The aspect's place among the application's own advice. README: "The aspect runs ahead of {@code @Transactional}
 * and {@code @Retryable}"; its order is {@code HIGHEST_PRECEDENCE + 1000}. An application aspect ordered ahead of
 * it ({@code @Order(HIGHEST_PRECEDENCE + 10)}: an authorization or caller-side audit that must see the caller's
 * thread and stop the call before any task exists) keeps its place, as Spring's ordering promises. (Not
 * {@code HIGHEST_PRECEDENCE} itself: Spring sorts an AspectJ aspect of that order ahead of its
 * {@code ExposeInvocationInterceptor}, {@code HIGHEST_PRECEDENCE + 1}, and its advice then fails with "No
 * MethodInvocation found", with or without this starter.)
 */
@Timeout(60)
class Review10AdviceOrderTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Beans.class);

    @Test
    void anApplicationAspectOrderedAheadOfTheTaskRunsOnTheCallersThreadOutsideTheTask() {
        runner.run(context -> {
            Quotes quotes = context.getBean(Quotes.class);
            Thread caller = Thread.currentThread();
            assertThat(quotes.quote()).isEqualTo("quote");
            CallerSideAspect first = context.getBean(CallerSideAspect.class);
            TaskSideAspect inner = context.getBean(TaskSideAspect.class);
            assertThat(inner.seen()).as("an aspect ordered after the task's runs inside it")
                    .containsExactly("in a task");
            assertThat(first.seen()).as("@Order(HIGHEST_PRECEDENCE + 10) advice runs before the task is made, on the "
                    + "caller's thread " + caller.getName()).containsExactly("outside a task on " + caller.getName());
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        Quotes quotes() {
            return new Quotes();
        }

        @Bean
        CallerSideAspect callerSideAspect() {
            return new CallerSideAspect();
        }

        @Bean
        TaskSideAspect taskSideAspect() {
            return new TaskSideAspect();
        }
    }

    public static class Quotes {

        @AsyncTask
        public String quote() {
            return "quote";
        }
    }

    @Aspect
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    public static class CallerSideAspect {

        private final List<String> seen = new CopyOnWriteArrayList<>();

        @Before("execution(* io.sweetasync.boot.Review10AdviceOrderTests.Quotes.quote(..))")
        public void before() {
            seen.add(TaskContext.current().isPresent() ? "in a task on " + Thread.currentThread().getName()
                    : "outside a task on " + Thread.currentThread().getName());
        }

        public List<String> seen() {
            return seen;
        }
    }

    @Aspect
    @Order(Ordered.HIGHEST_PRECEDENCE + 5000)
    public static class TaskSideAspect {

        private final List<String> seen = new CopyOnWriteArrayList<>();

        @Before("execution(* io.sweetasync.boot.Review10AdviceOrderTests.Quotes.quote(..))")
        public void before() {
            seen.add(TaskContext.current().isPresent() ? "in a task" : "outside a task");
        }

        public List<String> seen() {
            return seen;
        }
    }
}
