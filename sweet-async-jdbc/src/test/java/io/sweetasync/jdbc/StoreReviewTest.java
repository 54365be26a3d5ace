package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A second hostile review of durable task state (SPEC §6): user code and stores that throw {@link Error}s
 * on the store's own thread, and text a database cannot keep as given. Each test failed before its fix.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StoreReviewTest {

    static Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member, DurableCodec codec) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(codec)
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    private static String durableStatus(TaskStore store, TaskId id) {
        return store.durable(id).map(DurableRecord::status).orElse("<none>");
    }

    /** JSON, except that encoding the value "poison" throws an Error (as a getter throwing one would in Jackson). */
    static final class PoisonedCodec implements DurableCodec {
        private final JsonDurableCodec json = new JsonDurableCodec();

        @Override
        public String encode(Object value) {
            if ("poison".equals(value)) {
                throw new AssertionError("cannot encode this (test)");
            }
            return json.encode(value);
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            return json.decode(text, type);
        }
    }

    // ---- 1. a codec's Error on the store's thread: no durable end is written any more, nor the lease renewed

    @ParameterizedTest
    @MethodSource("databases")
    void aResultWhoseEncodingThrowsAnErrorHoldsBackNeitherOtherEndsNorTheLease(Databases.Database database) {
        JdbcTaskStore real = database.newStore();
        ReviewSupport.GatedStore store = new ReviewSupport.GatedStore(real);
        try (TaskOrchestrator orchestrator = on(store, "a", new PoisonedCodec())
                .handler("echo", String.class, s -> s).handler("poisoner", String.class, s -> "poison").build()) {
            SpawningTask<String> bad = orchestrator.to(String.class).durable("poisoner", "x").run();
            assertThat(bad.join()).isEqualTo("poison");
            SpawningTask<String> good = orchestrator.to(String.class).durable("echo", "fine").run();
            assertThat(good.join()).isEqualTo("fine");
            int renewed = store.renewals.get();
            await().alias("the end of a durable task that ended after one whose result's encoding threw an Error")
                    .atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(durableStatus(store, good.id()))
                            .isEqualTo("COMPLETED"));
            await().alias("the end of the durable task whose result's encoding threw (stored without its result)")
                    .atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(durableStatus(store, bad.id()))
                            .isEqualTo("COMPLETED"));
            assertThat(store.durable(bad.id()).orElseThrow().result()).isNull();
            await().alias("lease renewals after the Error").atMost(Duration.ofSeconds(20))
                    .until(() -> store.renewals.get() >= renewed + 2);
        }
    }

    // ---- 2. a store whose save throws an Error: the lease is never renewed, a live member is declared dead

    @Test
    void aStoreWhoseWritesThrowAnErrorStillHasItsLeaseRenewed() {
        JdbcTaskStore real = Databases.h2().newStore();
        ReviewSupport.GatedStore broken = new ReviewSupport.GatedStore(real) {
            @Override
            public void save(Collection<TaskRecord> records) {
                throw new NoClassDefFoundError("org/example/DriverInternals (test: a driver broken at run time)");
            }
        };
        CountDownLatch hold = new CountDownLatch(1);
        try (TaskOrchestrator a = on(broken, "a", new JsonDurableCodec()).build()) {
            SpawningTask<String> live = a.to(String.class).named("live").run(() -> {
                hold.await();
                return "ok";
            });
            int renewed = broken.renewals.get();
            await().alias("lease renewals of a member whose record writes throw an Error").atMost(Duration.ofSeconds(20))
                    .until(() -> broken.renewals.get() >= renewed + 3);
            assertThat(live.isDone()).isFalse();
        }
        finally {
            hold.countDown();
        }
    }

    // ---- 3. text the database keeps otherwise than given: a re-run reads another argument than submitted

    @ParameterizedTest
    @MethodSource("databases")
    void aReRunGetsTheArgumentAndAReaderTheResultExactlyAsGivenWhateverTheirCharacters(Databases.Database database)
            throws Exception {
        JdbcTaskStore store = database.newStore();
        String argument = "lone \uD800 high, lone \uDC00 low, NUL \u0000, pair \uD83D\uDE00, quote \" end";
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = on(store, "a", new JsonDurableCodec()).handler("charge", String.class, order -> {
            started.countDown();
            new CountDownLatch(1).await(); // a long call, interrupted by close(): the next member runs it again
            return order;
        }).build()) {
            id = a.to(String.class).durable("charge", argument).run().id();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        }
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (TaskOrchestrator b = on(store, "b", new JsonDurableCodec()).handler("charge", String.class, order -> {
            seen.complete(order);
            return order;
        }).build()) {
            assertThat(escaped(seen.get(30, TimeUnit.SECONDS))).as("the argument the re-run got").isEqualTo(escaped(argument));
            await().alias("the re-run's end").atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(durableStatus(store, id)).isEqualTo("COMPLETED"));
            assertThat(escaped(b.storedResult(id, String.class).orElseThrow().orElseThrow())).as("the stored result")
                    .isEqualTo(escaped(argument));
        }
    }

    // ---- 4. a handler name the database refuses: every claim of this member fails, for every handler

    @ParameterizedTest
    @MethodSource("databases")
    void aHandlerNameTheStoreCannotKeepDoesNotStopClaimsOfOtherHandlers(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "a", new JsonDurableCodec()).handler("charge", String.class, order -> {
            started.countDown();
            never.await();
            return order;
        }).build();
        try {
            TaskId id = a.to(String.class).durable("charge", "order-1").run().id();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue();
            aStore.down = true; // a dies
            TaskOrchestrator.Builder b;
            try {
                b = on(store, "b", new JsonDurableCodec()).handler("charge", String.class, order -> "charged on b")
                        .handler("audit\u0000log", String.class, entry -> entry);
            }
            catch (IllegalArgumentException refused) {
                assertThat(refused).hasMessageContaining("handler name");
                return; // refusing the name is a fix too
            }
            try (TaskOrchestrator member = b.build()) {
                await().alias("the dead member's invocation, claimed by a member that also has a handler with a NUL "
                        + "in its name").atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(durableStatus(store, id)).isEqualTo("COMPLETED"));
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /** {@code text} with every character outside printable ASCII as a Java escape, for readable failures. */
    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return out.toString();
    }
}
