package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.spi.DurableCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review 19: a codec's text that a store does not keep as it is (a NUL character, an unpaired surrogate) is never
 * stored altered: such a result was stored with its NUL taken out, and {@code storedResult} read back another value
 * than the handler returned, silently; such an argument was accepted, and a re-run on PostgreSQL got {@code '?'} for
 * the half pair. Now the result is not kept (a warning; {@code Ok(null)}, as for one the codec cannot encode) and
 * the argument is refused at {@code run()}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review19DurUnstorableTextTest {

    /** A codec for strings that keeps them as they are, as a hand-written codec might (Latin-1 bytes, say). */
    static final class AsIs implements DurableCodec {
        @Override
        public String encode(Object value) {
            return (String) value;
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            return type.cast(text);
        }
    }

    private static TaskOrchestrator.Builder member(JdbcTaskStore store) {
        return TaskOrchestrator.builder().store(store).member("a").durableCodec(new AsIs())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @MethodSource("io.sweetasync.jdbc.Databases#all")
    void aResultWithANulIsNeverReadBackAsAnotherValue(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        try (TaskOrchestrator orchestrator = member(store).handler("echo", String.class, s -> s + "\0b").build()) {
            SpawningTask<String> task = orchestrator.to(String.class).durable("echo", "a").run();
            assertThat(task.join()).isEqualTo("a\0b");
            assertThat(orchestrator.flushStore()).isTrue();
            TaskResult<String> stored = await().atMost(Duration.ofSeconds(30))
                    .until(() -> orchestrator.storedResult(task.id(), String.class).orElse(null), r -> r != null);
            assertThat(stored).isInstanceOf(TaskResult.Ok.class);
            assertThat(((TaskResult.Ok<String>) stored).value()).as("the value read back").isIn("a\0b", null);
        }
    }

    @ParameterizedTest
    @MethodSource("io.sweetasync.jdbc.Databases#all")
    void anArgumentWithAnUnpairedSurrogateIsRefusedAtRun(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        try (TaskOrchestrator orchestrator = member(store).handler("echo", String.class, s -> s).build()) {
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("echo", "cut \uD83D").run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("echo", "nul \0").run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
            assertThat(orchestrator.to(String.class).durable("echo", "pair \uD83D\uDE00").run().join())
                    .isEqualTo("pair \uD83D\uDE00");
        }
    }
}
