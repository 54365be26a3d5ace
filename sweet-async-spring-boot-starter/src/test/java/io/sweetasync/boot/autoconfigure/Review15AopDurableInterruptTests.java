package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Review 15 of the {@code @AsyncTask} aspect: a durable method's caller interrupted while it waits. */
class Review15AopDurableInterruptTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    /**
     * A durable method's task is stored to run at least once, whatever happens to its caller: a caller interrupted
     * while it waits for the value gets {@code CancellationException}, and the task runs on, as
     * {@code DurableTaskBuilder.await()} promises for the same call in plain Java (a crash of the caller would not
     * stop it either). The aspect cancelled it, as it does a plain task that nobody else holds: the stored work
     * ended CANCELLED and the body was interrupted.
     */
    @Test
    void aDurableMethodsTaskRunsOnWhenItsWaitingCallerIsInterrupted() {
        runner.withConfiguration(AutoConfigurations.of(SweetAsyncStoreAutoConfiguration.class))
                .withUserConfiguration(DurableSetup.class)
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.flush-interval=100ms")
                .run(context -> {
                    SlowBilling billing = context.getBean(SlowBilling.class);
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    Thread caller = new Thread(() -> {
                        try {
                            billing.bill("acme");
                        }
                        catch (Throwable ex) {
                            thrown.set(ex);
                        }
                    });
                    caller.start();
                    assertThat(SlowBilling.started.await(30, TimeUnit.SECONDS)).as("the body started").isTrue();
                    caller.interrupt();
                    caller.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(caller.isAlive()).as("the caller returned").isFalse();
                    assertThat(thrown.get()).isInstanceOf(CancellationException.class);
                    SlowBilling.release.countDown();
                    await().alias("the stored task completed").atMost(Duration.ofSeconds(30))
                            .until(() -> orchestrator.recent().stream().filter(task -> task.name().equals("slow-bill"))
                                    .anyMatch(task -> task.status().isTerminal()));
                    assertThat(orchestrator.recent().stream().filter(task -> task.name().equals("slow-bill")))
                            .allSatisfy(task -> assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED));
                    assertThat(SlowBilling.interrupted.get()).as("the body was interrupted").isZero();
                    assertThat(SlowBilling.billed.get()).isEqualTo(1);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class DurableSetup {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:review15aop" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        SlowBilling slowBilling() {
            return new SlowBilling();
        }
    }

    static class SlowBilling {
        // static: the test holds the bean's CGLIB proxy, whose own fields are not the bean's (one context per test)
        static final CountDownLatch started = new CountDownLatch(1);
        static final CountDownLatch release = new CountDownLatch(1);
        static final AtomicInteger interrupted = new AtomicInteger();
        static final AtomicInteger billed = new AtomicInteger();

        @AsyncTask(name = "slow-bill", durable = true)
        public String bill(String customer) throws InterruptedException {
            started.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            }
            catch (InterruptedException ex) {
                interrupted.incrementAndGet();
                throw ex;
            }
            billed.incrementAndGet();
            return customer + " billed";
        }
    }
}
