package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskContext;
import io.sweetasync.annotation.AsyncTask;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import io.sweetasync.TaskOrchestrator;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** A hostile review of the starter: where its objects meet what a Spring user expects. */
class StarterReviewTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    /**
     * Every attempt of a retried {@code @AsyncTask} runs the whole rest of the advice chain: a
     * {@code @Transactional} method's retry runs in a new transaction (the first attempt's was rolled back).
     * Proceeding the same invocation again skipped every interceptor after the aspect, so attempts 2 and 3
     * ran with no transaction at all.
     */
    @Test
    void everyRetryOfATransactionalAsyncTaskRunsInItsOwnTransaction() {
        runner.withUserConfiguration(TransactionalRetryConfig.class).run(context -> {
            RetriedRepository repository = context.getBean(RetriedRepository.class);
            assertThat(repository.save()).isEqualTo(3);
            assertThat(repository.attempts()).containsExactly("attempt 1 in transaction", "attempt 2 in transaction",
                    "attempt 3 in transaction");
            assertThat(context.getBean(CountingTransactionManager.class).begun).hasSize(3);
        });
    }

    /**
     * The same with retries left to the orchestrator's default retry ({@code retries} unwritten): a task that may
     * retry proceeds a copy of the invocation per attempt; one that cannot proceeds the invocation itself. Taking
     * the unwritten {@code retries} for "no retry" ran attempts 2 and 3 past the transaction.
     */
    @Test
    void everyDefaultRetryOfATransactionalAsyncTaskRunsInItsOwnTransaction() {
        runner.withUserConfiguration(TransactionalRetryConfig.class)
                .withPropertyValues("sweet.async.default-retry.max-retries=2", "sweet.async.default-retry.initial-delay=1ms",
                        "sweet.async.default-retry.max-delay=1ms")
                .run(context -> {
                    RetriedRepository repository = context.getBean(RetriedRepository.class);
                    assertThat(repository.saveByDefaultRetry()).isEqualTo(3);
                    assertThat(repository.attempts()).containsExactly("attempt 1 in transaction",
                            "attempt 2 in transaction", "attempt 3 in transaction");
                    assertThat(context.getBean(CountingTransactionManager.class).begun).hasSize(3);
                });
    }

    /** A task of one attempt proceeds the invocation itself: its one transaction, as with a copy. */
    @Test
    void aTransactionalAsyncTaskWithoutRetriesRunsInItsTransaction() {
        runner.withUserConfiguration(TransactionalRetryConfig.class).run(context -> {
            RetriedRepository repository = context.getBean(RetriedRepository.class);
            assertThat(repository.saveOnce()).isEqualTo(1);
            assertThat(repository.attempts()).containsExactly("attempt 1 in transaction");
            assertThat(context.getBean(CountingTransactionManager.class).begun).hasSize(1);
        });
    }

    /**
     * A context stopped and started again ({@code stop(); start()}, as a CRaC checkpoint does) cannot bring
     * back its orchestrator, which {@code stop()} shut down (it waited for the tasks and cancelled the rest):
     * {@code start()} fails saying so, and the shut-down orchestrator is not made global. It used to start
     * "successfully", install that orchestrator as the global one, and reject every task from then on.
     */
    @Test
    void startingAStoppedContextFailsInsteadOfRejectingEveryTask() {
        AnnotationConfigApplicationContext context = context();
        try {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            context.stop();
            assertThatThrownBy(context::start).rootCause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot start again");
            assertThat(TaskOrchestrator.global()).isNotSameAs(orchestrator);
            assertThat(TaskOrchestrator.global().isAccepting()).isTrue();
        }
        finally {
            context.close();
        }
    }

    /**
     * The context's orchestrator is the global one while the context runs, and closing one context never
     * changes the global orchestrator of another that still runs, nor leaves a closed orchestrator global.
     * Two contexts closed in the order they started (two cached test contexts, a refreshed one replaced):
     * closing the first put back the global it had found (none), though the second was global; closing the
     * second then put back the first's orchestrator, shut down, so every {@code AsyncTask.to(...)} was
     * rejected.
     */
    @Test
    void closingOneContextLeavesAnotherContextsOrchestratorGlobal() {
        AnnotationConfigApplicationContext first = context();
        AnnotationConfigApplicationContext second = context();
        try {
            TaskOrchestrator secondOrchestrator = second.getBean(TaskOrchestrator.class);
            assertThat(TaskOrchestrator.global()).isSameAs(secondOrchestrator);
            first.close();
            assertThat(TaskOrchestrator.global()).as("the running context's orchestrator").isSameAs(secondOrchestrator);
            second.close();
            assertThat(TaskOrchestrator.global().isAccepting()).as("the global orchestrator after both closed")
                    .isTrue();
            assertThat(io.sweetasync.AsyncTask.to(String.class).await(() -> "ran")).isEqualTo("ran");
        }
        finally {
            first.close();
            second.close();
        }
    }

    private static AnnotationConfigApplicationContext context() {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.register(SweetAsyncAutoConfiguration.class);
        context.refresh();
        return context;
    }

    /**
     * A huge retry back-off means "practically never" (SPEC 1.5: a huge duration is honoured or refused
     * naming it, never an arithmetic error). The back-off's cap, ten times it, overflowed {@code Duration}:
     * start-up failed with a bare {@code ArithmeticException: long overflow}, naming neither method nor
     * attribute.
     */
    @Test
    void aHugeRetryBackoffIsPracticallyNeverNotAnOverflow() {
        runner.withUserConfiguration(HugeBackoffConfig.class)
                .withPropertyValues("svc.backoff=1000000000000000000s", "svc.timeout=106751991167d")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(HugeBackoff.class).call()).isEqualTo("ran");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class HugeBackoffConfig {

        @Bean
        HugeBackoff hugeBackoff() {
            return new HugeBackoff();
        }
    }

    static class HugeBackoff {

        @AsyncTask(retries = 1, retryBackoff = "${svc.backoff}", timeout = "${svc.timeout}")
        public String call() {
            return "ran";
        }
    }

    /**
     * {@code @AsyncTask} and Spring's {@code @Async} on one method stop start-up naming the method: the task
     * (the outer layer) proceeded into {@code @Async}, which ran the body on its own executor, outside the
     * task — no {@code TaskContext}, no children, its timeout unable to interrupt the body — while the
     * task only awaited {@code @Async}'s future. The same for {@code @Async} on the class.
     */
    @Test
    void asyncTaskTogetherWithSpringsAsyncStopsStartUpNamingTheMethod() {
        for (Class<?> bean : List.of(AsyncOnMethod.class, AsyncOnClass.class)) {
            runner.withUserConfiguration(SpringAsyncEnabled.class).withBean(bean).run(context -> {
                assertThat(context).as(bean.getSimpleName()).hasFailed();
                assertThat(context.getStartupFailure()).hasMessageContaining(bean.getSimpleName() + ".where()")
                        .hasMessageContaining("@Async");
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class SpringAsyncEnabled {
    }

    static class AsyncOnMethod {

        @AsyncTask
        @Async
        public CompletableFuture<String> where() {
            return CompletableFuture.completedFuture(TaskContext.current().map(TaskContext::name).orElse("no task"));
        }
    }

    @Async
    static class AsyncOnClass {

        @AsyncTask
        public CompletableFuture<String> where() {
            return CompletableFuture.completedFuture(TaskContext.current().map(TaskContext::name).orElse("no task"));
        }
    }

    /**
     * A bad attribute stops start-up naming the method (as {@link AsyncTaskValidationTests} holds for class
     * proxies) also for a bean behind a JDK interface proxy, its annotation on the implementing method: the
     * start-up check read the methods of the proxy's class, which carry no annotation, so the bad timeout
     * passed start-up and failed the method's first call.
     */
    @Test
    void aBadAttributeOnABeanBehindAnInterfaceProxyStopsStartUp() {
        runner.withUserConfiguration(BadQuoterConfig.class).withPropertyValues("spring.aop.proxy-target-class=false")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasMessageContaining("BadQuoter.quote()")
                            .hasMessageContaining("timeout 'five seconds' is not a duration");
                });
    }

    interface Quoter {
        String quote();
    }

    @Configuration(proxyBeanMethods = false)
    static class BadQuoterConfig {

        @Bean
        Quoter badQuoter() {
            return new BadQuoter();
        }
    }

    static class BadQuoter implements Quoter {

        @Override
        @AsyncTask(timeout = "five seconds")
        public String quote() {
            return "quote";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class TransactionalRetryConfig {

        @Bean
        CountingTransactionManager transactionManager() {
            return new CountingTransactionManager();
        }

        @Bean
        RetriedRepository retriedRepository() {
            return new RetriedRepository();
        }
    }

    static class CountingTransactionManager extends AbstractPlatformTransactionManager
            implements PlatformTransactionManager {

        final List<String> begun = new CopyOnWriteArrayList<>();

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
            begun.add(Thread.currentThread().getName());
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
        }
    }

    static class RetriedRepository {

        private final List<String> attempts = new CopyOnWriteArrayList<>();

        public List<String> attempts() { // through the proxy: a CGLIB proxy does not carry the target's fields
            return attempts;
        }

        @AsyncTask
        @Transactional
        public int saveByDefaultRetry() throws IOException {
            return save();
        }

        @AsyncTask
        @Transactional
        public int saveOnce() {
            int attempt = TaskContext.current().orElseThrow().attempt();
            attempts.add("attempt " + attempt + (TransactionSynchronizationManager.isActualTransactionActive()
                    ? " in transaction" : " without transaction"));
            return attempt;
        }

        @AsyncTask(retries = 2, retryBackoff = "1ms", retryOn = IOException.class)
        @Transactional
        public int save() throws IOException {
            int attempt = TaskContext.current().orElseThrow().attempt();
            attempts.add("attempt " + attempt + (TransactionSynchronizationManager.isActualTransactionActive()
                    ? " in transaction" : " without transaction"));
            if (attempt < 3) {
                throw new IOException("attempt " + attempt);
            }
            return attempt;
        }
    }
}
