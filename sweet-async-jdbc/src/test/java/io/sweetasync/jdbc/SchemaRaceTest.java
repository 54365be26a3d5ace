package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.jdbc.Databases.Database;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 6, {@code sweet.async.store.initialize-schema=always} on a store shared by several members: members of a
 * cluster start together, and each initializes the schema as it starts. On PostgreSQL two {@code CREATE ... IF NOT
 * EXISTS} of one table running at once are not idempotent (the loser fails on the catalog's unique index), so every
 * member but one failed to start on a fresh database.
 */
class SchemaRaceTest {

    private static final AtomicInteger ROUNDS = new AtomicInteger();

    static Stream<Database> databases() {
        return Databases.all();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void membersInitializingAFreshSchemaAtOnceAllStart(Database database) throws Exception {
        int members = 4;
        ExecutorService threads = Executors.newFixedThreadPool(members);
        try {
            for (int round = 0; round < 20; round++) {
                String prefix = "race" + ProcessHandle.current().pid() + "_" + ROUNDS.incrementAndGet() + "_";
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Long>> starts = new ArrayList<>();
                for (int member = 0; member < members; member++) {
                    int number = member;
                    starts.add(threads.submit(() -> {
                        JdbcTaskStore store = new JdbcTaskStore(database.dataSource(), prefix);
                        go.await();
                        store.initializeSchema();
                        return store.open("member-" + number, Duration.ofSeconds(30)).number();
                    }));
                }
                go.countDown();
                List<Long> incarnations = new ArrayList<>();
                for (Future<Long> start : starts) {
                    incarnations.add(start.get(30, TimeUnit.SECONDS));
                }
                assertThat(incarnations).as("round %d: every member started, each with an incarnation of its own",
                        round).doesNotHaveDuplicates().hasSize(members);
            }
        }
        finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
