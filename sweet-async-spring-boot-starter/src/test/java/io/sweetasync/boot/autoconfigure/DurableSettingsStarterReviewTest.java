package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.spi.TaskStore;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Review: {@code @AsyncTask(durable = true, retries, retryOn, timeout)} is stored with its invocation. */
class DurableSettingsStarterReviewTest {

    static class Mailer {
        @AsyncTask(name = "mail", durable = true, retries = 2, retryOn = IllegalStateException.class,
                retryBackoff = "50ms", timeout = "${mail.timeout:7s}")
        public SpawningTask<String> mail(String to) {
            return null; // the aspect returns the task's handle
        }

        @AsyncTask(name = "mail-once", durable = true, retries = 0)
        public SpawningTask<String> mailOnce(String to) {
            return null;
        }

        @AsyncTask(name = "mail-default", durable = true)
        public SpawningTask<String> mailDefault(String to) {
            return null;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {
        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:durable-settings-review;DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        Mailer mailer() {
            return new Mailer();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Setup.class);

    @Test
    void theAnnotationsTimeoutAndRetryAreStoredWithTheInvocation() {
        runner.withPropertyValues("sweet.async.store.enabled=true", "mail.timeout=9s").run(context -> {
            Mailer mailer = context.getBean(Mailer.class);
            TaskStore store = context.getBean(TaskStore.class);
            SpawningTask<String> mail = mailer.mail("a@example.com");
            assertThat(store.durable(mail.id()).orElseThrow().settings())
                    .isEqualTo("timeout=PT9S\nretry=B(2,1,PT0.05S,PT0.5S,0.0,[java.lang.IllegalStateException],[],[])\n");
            SpawningTask<String> once = mailer.mailOnce("b@example.com");
            assertThat(store.durable(once.id()).orElseThrow().settings()).as("retries = 0: none, not the default")
                    .isEqualTo("retry=B(0,0,PT0S,PT0S,0.0,[],[],[])\n");
            SpawningTask<String> byDefault = mailer.mailDefault("c@example.com");
            assertThat(store.durable(byDefault.id()).orElseThrow().settings())
                    .as("nothing written on the method: the running member's defaults").isNull();
        });
    }
}
