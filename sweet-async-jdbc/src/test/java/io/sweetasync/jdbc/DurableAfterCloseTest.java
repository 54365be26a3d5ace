package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A durable task submitted to an orchestrator that closed (or shuts down) is rejected, and its caller told so
 * ({@code TaskRejectedException}): it must never run. Found by a new user's trial: its invocation was stored all the
 * same, and the next start on the database ran it (a caller that retries on the rejection charged twice).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableAfterCloseTest {

    @Test
    void aDurableTaskRejectedByAClosedOrchestratorIsNotStoredAndNeverRuns() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        AtomicInteger charged = new AtomicInteger();
        TaskOrchestrator first = builder(store, charged).build();
        first.close();
        SpawningTask<String> rejected = first.to(String.class).durable("charge", "customer-1").run();
        assertThat(rejected.result()).isInstanceOfSatisfying(TaskResult.Err.class,
                err -> assertThat(err.error()).isInstanceOf(TaskRejectedException.class));
        assertThat(rejected.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(store.durable(rejected.id())).as("not stored").isEmpty();

        try (TaskOrchestrator second = builder(store, charged).build()) {
            SpawningTask<String> later = second.to(String.class).durable("charge", "customer-2").run();
            assertThat(later.join()).isEqualTo("charged customer-2");
            second.flushStore();
            Thread.sleep(1_500); // a few looks of the second start at what is left in the store (every third of the lease)
            assertThat(charged).as("only the accepted one ran").hasValue(1);
        }
    }

    private static TaskOrchestrator.Builder builder(JdbcTaskStore store, AtomicInteger charged) {
        return TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1))
                .handler("charge", String.class, customer -> {
                    charged.incrementAndGet();
                    return "charged " + customer;
                });
    }
}
