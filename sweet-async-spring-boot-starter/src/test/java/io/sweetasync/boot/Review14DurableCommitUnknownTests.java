package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncStoreAutoConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A durable task submitted inside a transaction whose outcome is unknown: its commit failed to answer, so Spring
 * completes the transaction with {@code STATUS_UNKNOWN}. The start gate took that for a rollback: the handle said
 * CANCELLED "rolled back" while the invocation, committed after all, ran later (found by the member's looks at the
 * store). Now the handle ends FAILED saying the outcome is unknown, and the invocation runs if and only if it was
 * committed.
 */
class Review14DurableCommitUnknownTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    static class Billing {
        final List<String> calls = new CopyOnWriteArrayList<>();

        public List<String> calls() {
            return calls;
        }

        @AsyncTask(name = "bill-in-tx", durable = true)
        public SpawningTask<String> bill(String customer) {
            calls.add(customer);
            return null; // the aspect returns the task's handle
        }
    }

    /** Commits (or rolls back, when told to) and then reports the commit as failed: the caller cannot know. */
    static class AnswerLostTransactionManager extends DataSourceTransactionManager {
        final AtomicReference<String> loseAnswer = new AtomicReference<>();

        AnswerLostTransactionManager(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            String mode = loseAnswer.get();
            if ("rolled back".equals(mode)) {
                super.doRollback(status);
            }
            else {
                super.doCommit(status);
            }
            if (mode != null) {
                throw new TransactionSystemException("the commit's answer was lost on the way back");
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:review14unknown" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        AnswerLostTransactionManager transactionManager(DataSource dataSource) {
            return new AnswerLostTransactionManager(dataSource);
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
            // A 9 s lease (30 s by default): the looks at the store that run the committed invocation follow the
            // renewals, a third of the lease apart; nothing here depends on how far apart.
            .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.shutdown.grace=1s",
                    "sweet.async.store.lease=9s");

    @Test
    @Timeout(180)
    void aCommitWithoutAnAnswerEndsTheHandleAsUnknownAndTheInvocationRunsIfAndOnlyIfItWasCommitted() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            AnswerLostTransactionManager manager = context.getBean(AnswerLostTransactionManager.class);
            TransactionTemplate transactions = new TransactionTemplate(manager);

            AtomicReference<SpawningTask<String>> gone = new AtomicReference<>();
            manager.loseAnswer.set("rolled back");
            assertThatThrownBy(() -> transactions.executeWithoutResult(status -> gone.set(billing.bill("gone"))))
                    .isInstanceOf(TransactionSystemException.class);
            AtomicReference<SpawningTask<String>> kept = new AtomicReference<>();
            manager.loseAnswer.set("committed");
            assertThatThrownBy(() -> transactions.executeWithoutResult(status -> kept.set(billing.bill("kept"))))
                    .isInstanceOf(TransactionSystemException.class);
            manager.loseAnswer.set(null);

            for (SpawningTask<String> handle : List.of(gone.get(), kept.get())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> handle.status().isTerminal());
                // Not "cancelled, rolled back": nobody here knows that, and one of them did commit.
                assertThat(handle.status()).as(handle.name()).isEqualTo(TaskStatus.FAILED);
                assertThatThrownBy(handle::join).hasMessageContaining("unknown");
            }
            // The committed invocation is stored: its member's looks at the store find it and run it, once.
            await().atMost(Duration.ofSeconds(90)).until(() -> billing.calls().contains("kept"));
            // The rolled-back one was not stored: the same looks found nothing to run.
            assertThat(billing.calls()).containsExactly("kept");
        });
    }
}
