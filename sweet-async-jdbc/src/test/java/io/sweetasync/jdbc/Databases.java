package io.sweetasync.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The databases store tests run on: an in-memory H2 always, and a real PostgreSQL when
 * {@code SWEET_ASYNC_POSTGRES_URL} is set (as {@code .ci/run} does after {@code .ci/postgres start}; locally:
 * {@code eval "$(.ci/postgres start)"}). Each store gets tables of its own prefix, so tests never see
 * each other's rows.
 */
final class Databases {

    static final String POSTGRES_ENV = "SWEET_ASYNC_POSTGRES_URL";
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** A named database to run a store on. */
    record Database(String name, DataSource dataSource) {
        @Override
        public String toString() {
            return name;
        }

        /** A fresh store with its own tables on this database. */
        JdbcTaskStore newStore() {
            JdbcTaskStore store = new JdbcTaskStore(dataSource, "t" + ProcessHandle.current().pid() + "_"
                    + NEXT.incrementAndGet() + "_");
            store.initializeSchema();
            return store;
        }
    }

    private Databases() {
    }

    static Stream<Database> all() {
        List<Database> databases = new ArrayList<>();
        databases.add(h2());
        postgres().ifPresent(databases::add);
        if (databases.size() == 1) {
            System.out.println("PostgreSQL store tests skipped: set " + POSTGRES_ENV
                    + " (eval \"$(.ci/postgres start)\" starts one on 127.0.0.1)");
        }
        return databases.stream();
    }

    static Database h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:store" + NEXT.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        return new Database("H2", h2);
    }

    static java.util.Optional<Database> postgres() {
        String url = System.getenv(POSTGRES_ENV);
        if (url == null || url.isBlank()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Database("PostgreSQL", pooled(url)));
    }

    private static HikariDataSource pool;

    /**
     * One connection pool for the JVM, as an application runs its store on (Spring Boot's Hikari): the store
     * takes a connection per call, and opening a PostgreSQL connection (SSL refusal, start-up, setup queries,
     * a server process) took most of these tests' time on a loaded two-core runner.
     */
    static synchronized DataSource pooled(String url) {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(20);
            config.setMinimumIdle(0);
            config.setPoolName("sweet-async-test-postgres");
            pool = new HikariDataSource(config);
        }
        return pool;
    }
}
