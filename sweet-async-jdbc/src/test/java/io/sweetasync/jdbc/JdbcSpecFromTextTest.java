package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskQuery;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 6 read as an outside suite would, for what the other store tests leave out: a durable task that
 * fails until its retry policy gives up, its stored failure, ids in creation order with a store, a record
 * reaching the store by itself (no explicit flush), and the paging of {@code stored}.
 */
@Timeout(60)
class JdbcSpecFromTextTest {

    record Invoice(String customer, long cents) {
    }

    private static TaskOrchestrator.Builder on(JdbcTaskStore store) {
        return TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50));
    }

    @Test
    void aDurableTaskIsRetriedUntilItsPolicyGivesUpAndItsFailureIsKept() {
        JdbcTaskStore store = Databases.h2().newStore();
        List<Integer> attempts = new ArrayList<>();
        TaskId id;
        try (TaskOrchestrator orchestrator = on(store).handler("flaky", Invoice.class, invoice -> {
            attempts.add(TaskContext.current().orElseThrow().attempt());
            throw new IOException("mail server down for " + invoice.customer());
        }).build()) {
            SpawningTask<String> sent = orchestrator.to(String.class).retry(RetryPolicy.fixed(2, Duration.ZERO))
                    .durable("flaky", new Invoice("acme", 1)).run();
            id = sent.id();
            assertThatThrownBy(sent::join).isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("mail server down for acme");
            assertThat(sent.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(attempts).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("flaky", new Invoice("b", 2)).await())
                    .isInstanceOf(TaskFailedException.class);
        }
        try (TaskOrchestrator restarted = on(store).build()) {
            TaskInfo info = restarted.find(id).orElseThrow();
            assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(info.attempts()).isEqualTo(3);
            assertThat(info.failure().type()).isEqualTo("IOException");
            assertThat(restarted.storedResult(id, String.class)).hasValueSatisfying(result ->
                    assertThat(result).isInstanceOf(TaskResult.Err.class));
        }
    }

    @Test
    void aDurableTaskNeedsAStore() {
        try (TaskOrchestrator plain = TaskOrchestrator.builder().build()) {
            assertThatThrownBy(() -> plain.to(String.class).durable("any", "x").run())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void idsIncreaseInCreationOrderWithAStoreAndParseBack() {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator orchestrator = on(store).build()) {
            TaskId previous = null;
            for (int i = 0; i < 200; i++) {
                TaskId id = orchestrator.to(String.class).run(() -> "x").id();
                if (previous != null) {
                    assertThat(id).isGreaterThan(previous);
                }
                assertThat(TaskId.parse(id.toString())).isEqualTo(id);
                assertThat(id.toString()).hasSizeLessThan(24);
                previous = id;
            }
        }
    }

    @Test
    void aTerminalStatusReachesTheStoreByItself() {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator writer = on(store).build(); TaskOrchestrator reader = on(store).build()) {
            SpawningTask<String> task = writer.to(String.class).named("by-itself").run(() -> "x");
            task.join();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    reader.stored(new TaskQuery("COMPLETED", "by-itself", null, 0, 10)))
                    .extracting(TaskInfo::id).containsExactly(task.id()));
        }
    }

    @Test
    void storedPagesWithOffsetAndLimit() {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator orchestrator = on(store).build()) {
            AtomicInteger n = new AtomicInteger();
            List<TaskId> ids = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                SpawningTask<Integer> t = orchestrator.to(Integer.class).named("paged").run(n::incrementAndGet);
                t.join();
                ids.add(t.id());
            }
            assertThat(orchestrator.flushStore()).isTrue();
            List<TaskId> seen = new ArrayList<>();
            for (int offset = 0; offset < 10; offset += 3) {
                List<TaskInfo> page = orchestrator.stored(new TaskQuery(null, "paged", null, offset, 3));
                assertThat(page.size()).isLessThanOrEqualTo(3);
                page.forEach(info -> seen.add(info.id()));
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
            assertThatThrownBy(() -> new TaskQuery(null, null, null, -1, 3)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
