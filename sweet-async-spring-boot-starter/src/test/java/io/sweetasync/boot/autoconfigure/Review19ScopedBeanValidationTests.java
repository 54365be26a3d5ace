package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.annotation.AsyncTask;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.annotation.RequestScope;

/**
 * A bad {@code @AsyncTask} attribute or return type of a prototype or request-scoped bean. README: a future type
 * other than {@code CompletableFuture}, {@code CompletionStage}, {@code Future} or {@code SpawningTask} "stops
 * start-up", and the start-up check names a bad attribute "rather than failing the method's first call". The check
 * walked the singletons only, so such a bean started fine and failed at its first call (in production, the first
 * request), although its class is known from its definition at start-up, as a lazy singleton's is (which was checked).
 * A request-scoped bean held: its scoped proxy is a singleton of the bean's class, so it was checked.
 */
class Review19ScopedBeanValidationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    @Test
    void aPrototypeBeansFutureTaskReturnStopsStartUp() {
        runner.withBean(LaterReport.class, LaterReport::new, definition -> definition.setScope("prototype"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasMessageContaining("LaterReport.later()")
                            .hasMessageContaining("FutureTask");
                });
    }

    @Test
    void aRequestScopedBeansBadTimeoutStopsStartUpNamingTheMethodAndTheValue() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class,
                SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
                .withUserConfiguration(RequestBeans.class).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasMessageContaining("PerRequestQuote.quote()")
                            .hasMessageContaining("'five seconds'");
                });
    }

    /** A good prototype bean still starts, is not created at start-up, and runs its calls as tasks. */
    @Test
    void aGoodPrototypeBeanIsNotCreatedAtStartUp() {
        Counted.created.set(0);
        runner.withBean(Counted.class, Counted::new, definition -> definition.setScope("prototype"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(Counted.created).hasValue(0);
                    assertThat(context.getBean(Counted.class).name()).isEqualTo("counted");
                });
    }

    static class LaterReport {
        @AsyncTask
        public FutureTask<String> later() {
            return new FutureTask<>(() -> "x");
        }
    }

    static class PerRequestQuote {
        @AsyncTask(timeout = "five seconds")
        public String quote() {
            return "q";
        }
    }

    static class Counted {
        static final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();

        Counted() {
            created.incrementAndGet();
        }

        @AsyncTask(name = "counted")
        public String name() {
            return io.sweetasync.TaskContext.current().map(io.sweetasync.TaskContext::name).orElse("no task");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RequestBeans {
        @Bean
        @RequestScope
        PerRequestQuote perRequestQuote() {
            return new PerRequestQuote();
        }
    }
}
