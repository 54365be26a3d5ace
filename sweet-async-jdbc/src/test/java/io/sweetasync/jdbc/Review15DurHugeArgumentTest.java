package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Review 15: a durable task's argument of a few megabytes is stored whole, and its re-run after a crash reads it whole. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review15DurHugeArgumentTest {

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aHugeArgumentReachesTheReRunWhole(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        String huge = "\u00e9x\"\\".repeat(1_000_000) + "end";
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        List<Integer> lengthsOnA = new CopyOnWriteArrayList<>();
        TaskOrchestrator a = on(aStore, "a").handler("digest", String.class, text -> {
            lengthsOnA.add(text.length());
            running.countDown();
            never.await();
            return 0;
        }).build();
        try {
            TaskId id = a.to(Integer.class).durable("digest", huge).run().id();
            assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(lengthsOnA).containsExactly(huge.length());
            aStore.down = true;
            try (TaskOrchestrator b = on(store, "b").handler("digest", String.class,
                    text -> text.equals(huge) ? text.length() : -1).build()) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> store.durable(id).map(DurableRecord::status).orElse("").equals("COMPLETED"));
                assertThat(b.storedResult(id, Integer.class).orElseThrow().orElseThrow()).isEqualTo(huge.length());
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }
}
