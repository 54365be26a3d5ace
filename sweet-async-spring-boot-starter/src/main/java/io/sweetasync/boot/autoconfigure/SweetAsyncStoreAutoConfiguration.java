package io.sweetasync.boot.autoconfigure;

import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.jdbc.JsonDurableCodec;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskStore;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Durable task state in the application's {@link DataSource}, with {@code sweet.async.store.enabled=true}
 * and {@code sweet-async-jdbc} on the classpath: a {@link JdbcTaskStore} (its tables created per
 * {@code sweet.async.store.initialize-schema}), a JSON codec for durable arguments (the application's
 * {@link JsonMapper} if there is one), and a start gate that stores a durable task in the surrounding
 * transaction and starts it only after commit. Every bean backs off when the application defines one.
 * The store waits for the application's own database initialization (Flyway, Liquibase, {@code spring.sql.init}),
 * so that with {@code initialize-schema=never} the tables those create are there when the orchestrator opens its
 * membership in the store. With the property on but without the module or a single {@code DataSource}, the store
 * backs off and a warning at start-up names what is missing.
 *
 * <pre>{@code
 * sweet.async.store.enabled=true
 * sweet.async.store.initialize-schema=always
 * }</pre>
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        beforeName = "io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration")
@ConditionalOnClass({ JdbcTaskStore.class, TransactionAwareDataSourceProxy.class, EmbeddedDatabaseConnection.class })
@ConditionalOnProperty(prefix = "sweet.async.store", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(SweetAsyncProperties.class)
public final class SweetAsyncStoreAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(DataSource.class)
    static class StoreConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @DependsOnDatabaseInitialization
        TaskStore sweetAsyncTaskStore(DataSource dataSource, SweetAsyncProperties properties) {
            SweetAsyncProperties.Store settings = properties.getStore();
            JdbcTaskStore store;
            try {
                // Transaction-aware: a durable task submitted inside a transaction is stored in it; auto-commit on outside one.
                store = new JdbcTaskStore(new StoreDataSource(dataSource), settings.getTablePrefix());
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidSweetAsyncPropertyException("sweet.async.store.table-prefix", settings.getTablePrefix(),
                        ex.getMessage(), "use lower-case letters, digits and '_'");
            }
            boolean initialize = switch (settings.getInitializeSchema()) {
                case ALWAYS -> true;
                case NEVER -> false;
                case EMBEDDED -> EmbeddedDatabaseConnection.isEmbedded(dataSource);
            };
            if (initialize) {
                store.initializeSchema();
            }
            return store;
        }

        @Bean
        @ConditionalOnMissingBean
        DurableStartGate sweetAsyncDurableStartGate() {
            return new TransactionalStartGate();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JsonMapper.class)
    static class CodecConfiguration {

        @Bean
        @ConditionalOnMissingBean
        DurableCodec sweetAsyncDurableCodec(ObjectProvider<JsonMapper> mapper) {
            JsonMapper application = mapper.getIfUnique();
            return application == null ? new JsonDurableCodec() : new JsonDurableCodec(application);
        }
    }

    /**
     * Starts a durable task at once outside a transaction; inside one, after it commits (and never if it
     * rolls back, when the stored invocation is rolled back with it). A transaction whose outcome is unknown
     * ({@code STATUS_UNKNOWN}: its commit failed to answer) leaves the task undecided: taken for rolled back, its
     * handle said CANCELLED while the invocation, committed after all, ran at the member's next looks.
     */
    static final class TransactionalStartGate implements DurableStartGate {

        @Override
        public void afterStored(Runnable start, Runnable abandon) {
            afterStored(start, abandon, abandon);
        }

        @Override
        public void afterStored(Runnable start, Runnable abandon, Runnable undecided) {
            if (!TransactionSynchronizationManager.isSynchronizationActive()) {
                start.run();
                return;
            }
            TransactionSynchronizationManager.registerSynchronization(
                    new TransactionSynchronization() {
                        @Override
                        public void afterCompletion(int status) {
                            switch (status) {
                                case STATUS_COMMITTED -> start.run();
                                case STATUS_ROLLED_BACK -> abandon.run();
                                default -> undecided.run();
                            }
                        }
                    });
        }
    }
}
