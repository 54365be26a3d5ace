package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.TaskId;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile review 13: a pool whose connections come with auto-commit off ({@code HikariConfig.setAutoCommit(false)},
 * in Spring Boot {@code spring.datasource.hikari.auto-commit=false}, a setting often recommended with Hibernate). The
 * store took any connection with auto-commit off for one in its caller's transaction, left to that caller to commit:
 * nobody committed, and the pool rolled each call back when the connection came back to it. {@code open} returned an
 * incarnation whose member row was never kept, {@code enqueue} returned (so {@code run()} did: "stored before
 * {@code run()} returns") for an invocation that was not stored, and no renewal, record or end was ever written: a
 * store that silently kept nothing, and durable tasks that a crash lost.
 */
class Review13DurableAutoCommitOffPoolTest {

    private static final AtomicInteger NEXT = new AtomicInteger();

    static Stream<String> urls() {
        String postgres = System.getenv(Databases.POSTGRES_ENV);
        return Stream.concat(Stream.of("jdbc:h2:mem:r13ac" + NEXT.incrementAndGet() + ";DB_CLOSE_DELAY=-1"),
                postgres == null || postgres.isBlank() ? Stream.empty() : Stream.of(postgres));
    }

    @ParameterizedTest
    @MethodSource("urls")
    void aPoolWithAutoCommitOffIsRefusedAtOpenNotSilentlyRolledBack(String url) {
        String prefix = "r13a" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet() + "_";
        DataSource plain = plain(url);
        JdbcTaskStore reader = new JdbcTaskStore(plain, prefix);
        reader.initializeSchema(); // as the application's Flyway would, on its own connection
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setAutoCommit(false);
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcTaskStore store = new JdbcTaskStore(pool, prefix);
            long owner;
            try {
                owner = store.open("member-a", Duration.ofMinutes(5)).number();
            }
            catch (TaskStoreException refused) {
                assertThat(refused).hasMessageContaining("auto-commit");
                return; // said at once, before anything was taken for stored
            }
            TaskId id = TaskId.of(owner, 1);
            store.enqueue(new DurableRecord(id.value(), "send-invoice", "\"o-7\"", "PENDING", 1, owner, null, null,
                    System.currentTimeMillis()), record(id.value(), owner));
            Optional<DurableRecord> stored = reader.durable(id);
            assertThat(stored).as("an invocation whose enqueue returned, read on another connection").isPresent();
        }
    }

    /**
     * What the refusal must not refuse: a store opened inside its caller's transaction (an orchestrator first built
     * inside a Spring transaction, as lazy initialization does), whose connection has auto-commit off because that
     * transaction is open, from a pool whose connections have it on.
     */
    @ParameterizedTest
    @MethodSource("urls")
    void aStoreOpenedInsideItsCallersTransactionIsNotRefused(String url) throws Exception {
        String prefix = "r13a" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet() + "_";
        DataSource plain = plain(url);
        JdbcTaskStore reader = new JdbcTaskStore(plain, prefix);
        reader.initializeSchema();
        ReviewSupport.ThreadBoundDataSource transactional = new ReviewSupport.ThreadBoundDataSource(plain);
        JdbcTaskStore store = new JdbcTaskStore(transactional, prefix);
        transactional.begin();
        long owner;
        try {
            owner = store.open("member-a", Duration.ofMinutes(5)).number();
        }
        finally {
            transactional.end(true);
        }
        assertThat(owner).isPositive();
        assertThat(store.heartbeat(owner, Duration.ofMinutes(5))).isZero();
    }

    private static DataSource plain(String url) {
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            return h2;
        }
        return Databases.postgres().orElseThrow().dataSource();
    }

    private static TaskRecord record(long id, long incarnation) {
        long now = System.currentTimeMillis();
        return new TaskRecord(id, 0, id, "send-invoice", "PENDING", "NORMAL", null, "virtual", Map.of(), now, 0, 0, 1,
                null, null, 0, 0, -1, -1, -1, -1, "UUUU", "member-a", incarnation, true);
    }
}
