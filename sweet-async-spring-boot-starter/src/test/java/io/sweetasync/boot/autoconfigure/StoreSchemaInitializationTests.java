package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * SPEC 6: {@code sweet.async.store.initialize-schema=embedded|always|never}, as an application sets it: each mode
 * creates the store's tables exactly when it says, and with {@code never} the application's own schema initializer
 * (here Spring Boot's {@code spring.sql.init}, running the module's scripts as a Flyway user would) has run before
 * the orchestrator opens its membership in the store.
 */
class StoreSchemaInitializationTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path files;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class));

    private static DataSource h2(String url) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        return h2;
    }

    private static DataSource inMemory() {
        return h2("jdbc:h2:mem:schema-init" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    }

    private DataSource inAFile() {
        return h2("jdbc:h2:file:" + files.resolve("store" + DATABASES.incrementAndGet()).toAbsolutePath());
    }

    private static int storeTables(DataSource dataSource) {
        return new JdbcTemplate(dataSource).queryForObject("select count(*) from information_schema.tables "
                + "where lower(table_name) in ('sweet_async_member', 'sweet_async_task', 'sweet_async_durable')",
                Integer.class);
    }

    @Test
    void embeddedCreatesTheTablesOfAnInMemoryDatabase() {
        DataSource dataSource = inMemory();
        runner.withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.initialize-schema=embedded")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(storeTables(dataSource)).isEqualTo(3);
                });
    }

    @Test
    void embeddedLeavesADatabaseInAFileAlone() {
        DataSource dataSource = inAFile();
        runner.withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.initialize-schema=embedded")
                .run(context -> {
                    assertThat(context).as("no tables, so no membership in the store").hasFailed();
                    assertThat(storeTables(dataSource)).isZero();
                });
    }

    @Test
    void alwaysCreatesTheTablesOfADatabaseInAFileAndRunsAgainOverThem() {
        DataSource dataSource = inAFile();
        ApplicationContextRunner always = runner.withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.initialize-schema=always");
        always.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(storeTables(dataSource)).isEqualTo(3);
        });
        always.run(context -> assertThat(context).as("the schema is there already").hasNotFailed());
    }

    @Test
    void neverCreatesNoTableEvenInAnInMemoryDatabase() {
        DataSource dataSource = inMemory();
        runner.withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.initialize-schema=never")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).as("it says what to do")
                            .hasStackTraceContaining("sweet.async.store.initialize-schema=always");
                    assertThat(storeTables(dataSource)).isZero();
                });
    }

    @Test
    void withNeverTheApplicationsOwnSchemaInitializationRunsBeforeTheStoreIsUsed() {
        DataSource dataSource = inMemory();
        runner.withConfiguration(AutoConfigurations.of(DataSourceInitializationAutoConfiguration.class))
                .withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.initialize-schema=never",
                        "spring.sql.init.mode=always",
                        "spring.sql.init.schema-locations=classpath:db/sweet-async/h2/V1__sweet_async.sql,"
                                + "classpath:db/sweet-async/h2/V2__sweet_async_lost_runs.sql,"
                                + "classpath:db/sweet-async/h2/V3__sweet_async_durable_settings.sql")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    assertThat(orchestrator.storeStatistics()).isPresent();
                    assertThat(orchestrator.to(String.class).run(() -> "ok").join()).isEqualTo("ok");
                    assertThat(orchestrator.flushStore()).isTrue();
                });
    }
}
