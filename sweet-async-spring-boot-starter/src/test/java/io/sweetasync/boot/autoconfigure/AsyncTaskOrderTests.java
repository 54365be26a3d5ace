package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskContext;
import io.sweetasync.annotation.AsyncTask;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.resilience.annotation.Retryable;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The task wraps the transaction and Spring's retries: the transaction is bound to the task's thread,
 * inside the task, and {@code @Retryable} retries within one task.
 */
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

    @Test
    void springRetriesOfAnAsyncTaskHappenInsideOneTask() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncAspectAutoConfiguration.class))
                .withUserConfiguration(RetryConfig.class)
                .run(context -> {
                    Flaky flaky = context.getBean(Flaky.class);
                    // reversed (retry outside the task), the first call's failed future would be the answer
                    assertThat(flaky.call().join()).isEqualTo("ok after 3 calls");
                    assertThat(flaky.tasks()).as("every call ran in the same task").hasSize(1)
                            .noneMatch("no task"::equals);
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableResilientMethods
    static class RetryConfig {

        @Bean
        Flaky flaky() {
            return new Flaky();
        }
    }

    static class Flaky {

        private final AtomicInteger calls = new AtomicInteger();
        private final Set<String> tasks = ConcurrentHashMap.newKeySet();

        public Set<String> tasks() { // through the proxy: its own fields are not the bean's
            return tasks;
        }

        @AsyncTask
        @Retryable(maxRetries = 2, delay = 1)
        public CompletableFuture<String> call() {
            tasks.add(TaskContext.current().map(context -> context.id().toString()).orElse("no task"));
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky call " + calls.get());
            }
            return CompletableFuture.completedFuture("ok after " + calls.get() + " calls");
        }
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
