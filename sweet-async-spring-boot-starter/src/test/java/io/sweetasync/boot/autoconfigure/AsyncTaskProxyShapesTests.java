package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code @AsyncTask} methods reached through the shapes Java and Spring proxies give them. */
class AsyncTaskProxyShapesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    /**
     * A generic interface's method implemented with a future type: called through the interface (whose erased
     * method returns {@code Object}, the class's bridge method too), the call still returns at once and the task
     * awaits the future, as it does when called through the class: it was taken for a blocking method, so the
     * task ended as soon as the body had returned the future, and the future's work ran outside the task (its
     * timeout, its tree, its cancellation).
     */
    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void aFutureReturnedThroughAGenericInterfaceIsAwaitedInsideTheTask(boolean proxyTargetClass) {
        runner.withUserConfiguration(GenericJobConfig.class)
                .withPropertyValues("spring.aop.proxy-target-class=" + proxyTargetClass).run(context -> {
                    @SuppressWarnings("unchecked")
                    Job<CompletableFuture<String>> job = context.getBean(Job.class);
                    FutureJob target = context.getBean(GenericJobConfig.class).job;
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    CompletableFuture<String> returned = job.call();
                    try {
                        assertThat(returned.isDone()).as("returned at once").isFalse();
                        assertThat(orchestrator.roots()).as("the task awaits the future it returned")
                                .extracting(TaskInfo::name).containsExactly("future-job");
                    }
                    finally {
                        target.release.countDown();
                    }
                    assertThat(returned.get(10, TimeUnit.SECONDS)).isEqualTo("done");
                    await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.roots().isEmpty());
                    assertThat(orchestrator.recent()).filteredOn(task -> task.name().equals("future-job"))
                            .extracting(TaskInfo::status).containsExactly(TaskStatus.COMPLETED);
                });
    }

    /**
     * A method left unnamed is named after the bean's class, {@code SimpleClassName.method}, whichever proxy calls
     * it: behind a JDK interface proxy it was named after the interface, so two beans implementing it ran as one
     * name (their meters merged) and switching proxies renamed the task.
     */
    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void anUnnamedMethodIsNamedAfterTheBeansClassWhateverTheProxy(boolean proxyTargetClass) {
        runner.withBean("english", Greeting.class, EnglishGreeting::new)
                .withBean("french", Greeting.class, FrenchGreeting::new)
                .withPropertyValues("spring.aop.proxy-target-class=" + proxyTargetClass).run(context -> {
                    assertThat(context.getBean("english", Greeting.class).greet()).isEqualTo("hello");
                    assertThat(context.getBean("french", Greeting.class).greet()).isEqualTo("bonjour");
                    assertThat(context.getBean(TaskOrchestrator.class).recent()).extracting(TaskInfo::name)
                            .containsExactlyInAnyOrder("EnglishGreeting.greet", "FrenchGreeting.greet");
                });
    }

    interface Greeting {
        String greet();
    }

    static class EnglishGreeting implements Greeting {
        @Override
        @AsyncTask
        public String greet() {
            return "hello";
        }
    }

    static class FrenchGreeting implements Greeting {
        @Override
        @AsyncTask
        public String greet() {
            return "bonjour";
        }
    }

    /**
     * The same through a generic abstract class whose method carries the annotation, the bean a CGLIB proxy of its
     * subclass, called through the base type.
     */
    @Test
    void aFutureReturnedThroughAGenericBaseClassIsAwaitedInsideTheTask() {
        runner.withBean(FutureStep.class).run(context -> {
            @SuppressWarnings("unchecked")
            Step<CompletableFuture<String>> step = context.getBean(Step.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch release = context.getBean(FutureStep.class).release(); // the target's, not the proxy's field
            CompletableFuture<String> returned = step.call();
            try {
                assertThat(returned.isDone()).as("returned at once").isFalse();
                assertThat(orchestrator.roots()).as("the task awaits the future it returned")
                        .extracting(TaskInfo::name).containsExactly("FutureStep.call");
            }
            finally {
                release.countDown();
            }
            assertThat(returned.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        });
    }

    abstract static class Step<T> {

        @AsyncTask
        public abstract T call();
    }

    static class FutureStep extends Step<CompletableFuture<String>> {

        private final CountDownLatch release = new CountDownLatch(1);

        public CountDownLatch release() {
            return release;
        }

        @Override
        public CompletableFuture<String> call() {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return "done";
            });
        }
    }

    interface Job<T> {
        T call();
    }

    static class FutureJob implements Job<CompletableFuture<String>> {

        final CountDownLatch release = new CountDownLatch(1);

        @Override
        @AsyncTask(name = "future-job")
        public CompletableFuture<String> call() {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return "done";
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class GenericJobConfig {

        final FutureJob job = new FutureJob();

        @Bean
        Job<CompletableFuture<String>> futureJob() {
            return job;
        }
    }
}
