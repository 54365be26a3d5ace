package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncStoreAutoConfiguration;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class Review12DurableInTransactionTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    static class Billing {
        private final AtomicInteger calls = new AtomicInteger();

        public int calls() {
            return calls.get();
        }

        @AsyncTask(name = "bill-now", durable = true)
        public String bill(String customer) {
            calls.incrementAndGet();
            return "billed " + customer;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:review12tx" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        Billing billing() {
            return new Billing();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Setup.class)
            .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.shutdown.grace=1s");

    /**
     * A blocking durable method called inside a transaction: its task is stored with the transaction and starts only
     * once it commits, which is after the call returns, so the caller waited for good (until the context closed,
     * holding its connection and locks). It is refused at once, naming the method; the caller's rollback takes the
     * stored invocation with it.
     */
    @Test
    @Timeout(120)
    void aBlockingDurableCallInsideATransactionFailsAtOnceInsteadOfWaitingForEver() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            TransactionTemplate transactions = new TransactionTemplate(context.getBean(DataSourceTransactionManager.class));
            CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return transactions.execute(status -> billing.bill("acme"));
                }
                catch (Throwable t) {
                    return t;
                }
            });
            Object outcome;
            try {
                outcome = call.get(60, TimeUnit.SECONDS);
            }
            catch (TimeoutException ex) {
                outcome = "still waiting after 60 s";
            }
            assertThat(outcome).isInstanceOf(IllegalStateException.class);
            assertThat(((Throwable) outcome).getMessage()).contains("durable = true", "bill(", "transaction");
            // the exception rolled the transaction back, and the stored invocation with it: it never runs
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.liveCount() == 0);
            assertThat(billing.calls()).isZero();
            // outside a transaction the same call waits for its value, as before
            assertThat(billing.bill("globex")).isEqualTo("billed globex");
            assertThat(billing.calls()).isEqualTo(1);
        });
    }
}
