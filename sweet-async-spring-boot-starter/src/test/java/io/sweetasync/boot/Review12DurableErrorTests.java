package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncStoreAutoConfiguration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A durable method whose body throws an {@code Error} (an {@code AssertionError}, a {@code StackOverflowError}):
 * its handler calls the method reflectively and passed on only an {@code Exception} cause, so the task failed with
 * the reflective {@code InvocationTargetException} (no message) and the blocking caller got that, not the
 * method's own error, as a non-durable method's caller does; the task's failure named InvocationTargetException.
 */
class Review12DurableErrorTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    static class Checks {
        @AsyncTask(name = "durable-check", durable = true)
        public String check(String what) {
            throw new AssertionError("broken invariant: " + what);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:review12durable" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        Checks checks() {
            return new Checks();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Setup.class)
            .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.lease=3s",
                    "sweet.async.store.flush-interval=100ms");

    @Test
    void aDurableMethodsErrorReachesItsCallerAsItself() {
        runner.run(context -> {
            Checks checks = context.getBean(Checks.class);
            assertThatThrownBy(() -> checks.check("x")).isInstanceOf(AssertionError.class)
                    .hasMessage("broken invariant: x");
            assertThat(context.getBean(TaskOrchestrator.class).recent())
                    .filteredOn(task -> task.name().equals("durable-check")).singleElement()
                    .extracting(TaskInfo::failure).extracting(TaskInfo.Failure::type).isEqualTo("AssertionError");
        });
    }
}
