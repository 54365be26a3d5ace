package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncStoreAutoConfiguration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The store on an application's pool whose connections come with auto-commit off
 * ({@code spring.datasource.hikari.auto-commit=false}, often set for Hibernate). The store takes such a
 * connection for one in its caller's transaction and leaves the commit to that caller, so from such a pool it
 * kept nothing (and now refuses one at start-up); the starter hands it connections with auto-commit on outside a
 * transaction, and a transaction's own as they are.
 */
@Timeout(120)
class Review13StoreAutoCommitOffPoolTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    record Order(String id, int cents) {
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {

        final String url = "jdbc:h2:mem:review13autocommit" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";

        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setAutoCommit(false);
            config.setMaximumPoolSize(4);
            return new HikariDataSource(config);
        }

        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncStoreAutoConfiguration.class, SweetAsyncAutoConfiguration.class))
            .withUserConfiguration(Setup.class)
            .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.shutdown.grace=1s");

    /**
     * The application starts (the store refused the pool before), a durable task submitted outside a transaction
     * is stored for good (another connection reads its row), and one submitted in a transaction that rolls back is
     * stored in it (on the transaction's connection, its auto-commit left off) and goes with it.
     */
    @Test
    void aPoolWithAutoCommitOffKeepsWhatTheStoreWritesOutsideATransactionAndRollsBackWithOne() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            String url = context.getBean(Setup.class).url;
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            orchestrator.handler("ship", Order.class, Order::id);

            SpawningTask<String> stored = orchestrator.to(String.class).durable("ship", new Order("o-1", 100)).run();
            assertThat(count(url, "select count(*) from sweet_async_durable where id = " + stored.id().value()))
                    .isEqualTo(1);
            assertThat(stored.join()).isEqualTo("o-1");
            assertThat(count(url, "select count(*) from sweet_async_member")).isPositive();

            TransactionTemplate transactions = new TransactionTemplate(context.getBean(DataSourceTransactionManager.class));
            SpawningTask<?> rolledBack = transactions.execute(status -> {
                SpawningTask<String> task = orchestrator.to(String.class).durable("ship", new Order("o-2", 200)).run();
                status.setRollbackOnly();
                return task;
            });
            assertThat(rolledBack.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(count(url, "select count(*) from sweet_async_durable where id = " + rolledBack.id().value()))
                    .isZero();
        });
    }

    /** Reads on a connection of its own, outside the pool: only what was committed. */
    private static long count(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
