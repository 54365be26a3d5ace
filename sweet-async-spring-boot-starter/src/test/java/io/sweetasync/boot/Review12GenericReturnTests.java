package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An annotated method of a generic base class that the bean's class binds to a future type but does not override
 * ({@code R fetch()} of a {@code Fetcher<CompletableFuture<String>>}): its declared return type is the erased
 * {@code Object}, so it ran as a blocking method, its task ending as soon as the body handed the future back, and
 * the future's work ran outside the task (its timeout, retries, tree). It is awaited inside the task, as the same
 * method overridden in the subclass is.
 */
class Review12GenericReturnTests {

    public abstract static class Fetcher<R> {
        @AsyncTask(name = "fetch")
        public R fetch() {
            return make();
        }

        protected abstract R make();
    }

    public static class FutureFetcher extends Fetcher<CompletableFuture<String>> {
        private final CountDownLatch release = new CountDownLatch(1);

        public CountDownLatch release() {
            return release;
        }

        @Override
        protected CompletableFuture<String> make() {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    release.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return "fetched";
            });
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withBean(FutureFetcher.class);

    @Test
    @Timeout(120)
    void aFutureTypeBoundByTheBeansClassIsAwaitedInsideTheTask() {
        runner.run(context -> {
            FutureFetcher fetcher = context.getBean(FutureFetcher.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch release = fetcher.release();
            CompletableFuture<String> returned;
            try {
                returned = fetcher.fetch();
                assertThat(orchestrator.roots()).as("the task awaits the future the method returned")
                        .extracting(TaskInfo::name).containsExactly("fetch");
            }
            finally {
                release.countDown();
            }
            assertThat(returned.get(30, TimeUnit.SECONDS)).isEqualTo("fetched");
        });
    }
}
