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
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The task wraps the transaction: the transaction is bound to the task's thread, inside the task. */
class AsyncTaskOrderTests {

    @Test
    void aTransactionalAsyncTaskRunsItsTransactionInsideTheTask() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncAspectAutoConfiguration.class))
                .withUserConfiguration(TransactionalConfig.class)
                .run(context -> {
                    Repository repository = context.getBean(Repository.class);
                    assertThat(repository.save()).isEqualTo("in task Repository.save, transaction active");
                    assertThat(TransactionSynchronizationManager.isActualTransactionActive())
                            .as("the caller's thread never had the transaction").isFalse();
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class TransactionalConfig {

        @Bean
        PlatformTransactionManager transactionManager() {
            return new AbstractPlatformTransactionManager() {
                @Override
                protected Object doGetTransaction() {
                    return new Object();
                }

                @Override
                protected void doBegin(Object transaction, org.springframework.transaction.TransactionDefinition definition) {
                }

                @Override
                protected void doCommit(DefaultTransactionStatus status) {
                }

                @Override
                protected void doRollback(DefaultTransactionStatus status) {
                }
            };
        }

        @Bean
        Repository repository() {
            return new Repository();
        }
    }

    static class Repository {

        @AsyncTask
        @Transactional
        public String save() {
            String task = TaskContext.current().map(context -> "in task " + context.name()).orElse("no task");
            return task + (TransactionSynchronizationManager.isActualTransactionActive() ? ", transaction active"
                    : ", no transaction");
        }
    }
}
