package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class SweetAsyncStoreAutoConfigurationTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class))
            .withUserConfiguration(Database.class);

    record Order(String id, int cents) {
    }

    @Configuration(proxyBeanMethods = false)
    static class Database {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:starter" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }
    }

    @Test
    void offUnlessEnabled() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(TaskStore.class);
            assertThat(context.getBean(TaskOrchestrator.class).storeStatistics()).isEmpty();
        });
    }

    @Test
    void backsOffWithoutTheJdbcModule() {
        runner.withPropertyValues("sweet.async.store.enabled=true")
                .withClassLoader(new FilteredClassLoader(JdbcTaskStore.class)).run(context -> {
                    assertThat(context).doesNotHaveBean(TaskStore.class);
                    assertThat(context).hasSingleBean(TaskOrchestrator.class);
                });
    }

    @Test
    void enabledItKeepsHistoryInTheApplicationsDatabase() {
        runner.withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.flush-interval=20ms",
                "sweet.async.store.member=web-1").run(context -> {
                    assertThat(context).hasSingleBean(TaskStore.class).hasSingleBean(DurableCodec.class);
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    SpawningTask<String> task = orchestrator.to(String.class).named("nightly").run(() -> "ok");
                    task.join();
                    assertThat(task.id().incarnation()).isPositive();
                    assertThat(orchestrator.storeStatistics().orElseThrow().member()).isEqualTo("web-1");
                    await().atMost(Duration.ofSeconds(30)).until(() -> new JdbcTemplate(context.getBean(DataSource.class))
                            .queryForObject("select count(*) from sweet_async_task where name = 'nightly' and status = "
                                    + "'COMPLETED'", Integer.class) == 1);
                });
    }

    @Test
    void theUsersStoreWins() {
        runner.withPropertyValues("sweet.async.store.enabled=true").withBean("myStore", TaskStore.class,
                () -> {
                    JdbcDataSource h2 = new JdbcDataSource();
                    h2.setURL("jdbc:h2:mem:mine" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
                    JdbcTaskStore store = new JdbcTaskStore(h2, "mine_");
                    store.initializeSchema();
                    return store;
                }).run(context -> {
                    assertThat(context).hasSingleBean(TaskStore.class);
                    assertThat(context.getBean(TaskStore.class)).isSameAs(context.getBean("myStore"));
                });
    }

    @Test
    void aBadStorePropertyStopsStartUpNamingIt() {
        runner.withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.lease=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sweet.async.store.lease");
        });
    }

    /** A bad value waits for no day the store is switched on: it stops start-up with the store off too. */
    @Test
    void aBadStorePropertyStopsStartUpEvenWhileTheStoreIsOff() {
        runner.withPropertyValues("sweet.async.store.max-pending=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sweet.async.store.max-pending")
                    .hasMessageContaining("0");
        });
    }

    /** The same for the cluster's settings while the cluster is off (no Hazelcast member is started). */
    @Test
    void aBadClusterPropertyStopsStartUpEvenWhileTheClusterIsOff() {
        runner.withPropertyValues("sweet.async.cluster.load-interval=5ms").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("sweet.async.cluster.load-interval").hasMessageContaining("PT0.005S");
        });
    }

    /** Inside a transaction a durable task is stored with it, starts only after commit, and never after a rollback. */
    @Test
    void aDurableTaskSubmittedInATransactionStartsAfterCommitAndNeverAfterRollback() {
        runner.withPropertyValues("sweet.async.store.enabled=true").run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            AtomicInteger runs = new AtomicInteger();
            AtomicBoolean ranBeforeCommit = new AtomicBoolean();
            AtomicBoolean committed = new AtomicBoolean();
            CountDownLatch ran = new CountDownLatch(1);
            orchestrator.handler("ship", Order.class, order -> {
                ranBeforeCommit.compareAndSet(false, !committed.get());
                runs.incrementAndGet();
                ran.countDown();
                return order.id();
            });
            TransactionTemplate transactions = new TransactionTemplate(context.getBean(DataSourceTransactionManager.class));
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));

            SpawningTask<?> kept = transactions.execute(status -> {
                SpawningTask<String> task = orchestrator.to(String.class).durable("ship", new Order("o-1", 100)).run();
                assertThat(task.status()).isEqualTo(TaskStatus.PENDING);
                committed.set(true); // the commit follows right after this callback returns
                return task;
            });
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kept.join()).isEqualTo("o-1");
            assertThat(ranBeforeCommit).isFalse();

            SpawningTask<?> rolledBack = transactions.execute(status -> {
                SpawningTask<String> task = orchestrator.to(String.class).durable("ship", new Order("o-2", 200)).run();
                status.setRollbackOnly();
                return task;
            });
            assertThat(rolledBack.result().isOk()).isFalse();
            assertThat(rolledBack.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(runs).hasValue(1);
            assertThat(jdbc.queryForObject("select count(*) from sweet_async_durable where id = ?", Integer.class,
                    rolledBack.id().value())).isZero();
            assertThat(jdbc.queryForObject("select count(*) from sweet_async_durable where id = ?", Integer.class,
                    kept.id().value())).isEqualTo(1);
            TaskInfo info = orchestrator.find(rolledBack.id()).orElseThrow();
            assertThat(info.failure().message()).contains("rolled back");
        });
    }
}
