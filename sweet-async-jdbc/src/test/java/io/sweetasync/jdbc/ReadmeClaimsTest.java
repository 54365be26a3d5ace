package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's durable-task section on H2, as a new user writes it. */
@Timeout(60)
class ReadmeClaimsTest {

    record Invoice(String customer, long cents) {
    }

    record Receipt(String customer, long cents) {
    }

    interface Mailer {
        Receipt send(Invoice invoice);
    }

    final Mailer mailer = invoice -> new Receipt(invoice.customer(), invoice.cents());

    private static DataSource h2(String name) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:readme-" + name + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    private static String describe(Callable<?> call) {
        try {
            return "OK " + call.call();
        } catch (Throwable t) {
            return t.getClass().getSimpleName() + ": " + t.getMessage();
        }
    }

    @Test
    void theDurableSnippetAsWritten() {
        DataSource dataSource = h2("snippet");
        Invoice invoice = new Invoice("acme", 4200);
        // --- README: Durable task state ---
        JdbcTaskStore store = new JdbcTaskStore(dataSource);          // H2 or PostgreSQL; a pooled DataSource (HikariCP)
        store.initializeSchema();                                      // or let Flyway run classpath:db/sweet-async/<db> (V1 to V3)
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .store(store).durableCodec(new JsonDurableCodec())
                .handler("send-invoice", Invoice.class, mailer::send)
                .build();
        SpawningTask<Receipt> sent = orchestrator.to(Receipt.class).durable("send-invoice", invoice).run();
        orchestrator.storedResult(sent.id(), Receipt.class);          // later, also after a restart
        // --- end ---
        assertThat(sent.join()).isEqualTo(new Receipt("acme", 4200));
        orchestrator.close();
        try (TaskOrchestrator restarted = TaskOrchestrator.builder().store(store)
                .durableCodec(new JsonDurableCodec()).build()) {
            TaskResult<Receipt> result = restarted.storedResult(sent.id(), Receipt.class).orElseThrow();
            assertThat(result.orElseThrow()).isEqualTo(new Receipt("acme", 4200));
            // "find(id) and the asynctasks endpoint read finished tasks from it after a restart"
            assertThat(restarted.find(sent.id()).map(TaskInfo::status)).hasValue(TaskStatus.COMPLETED);
            // "stored(new TaskQuery(status, name, since, offset, limit)) lists them"
            List<TaskInfo> listed = restarted.stored(new TaskQuery("COMPLETED", "send-invoice",
                    Instant.now().minus(Duration.ofHours(1)), 0, 20));
            assertThat(listed).extracting(TaskInfo::id).contains(sent.id());
        }
    }

    // "stored(new TaskQuery(status, name, since, offset, limit)) lists them, and so does
    // GET /actuator/asynctasks?status=FAILED..." (where status=failed and status=BOGUS answer as they should)
    @Test
    void aQueryForAStatusThatIsNoneListsNothingSilently() {
        JdbcTaskStore store = new JdbcTaskStore(h2("query"));
        store.initializeSchema();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).build()) {
            SpawningTask<String> failed = orchestrator.to(String.class).named("boom").run(() -> {
                throw new IllegalStateException("x");
            });
            failed.result();
            assertThat(orchestrator.flushStore()).isTrue();
            assertThat(orchestrator.stored(new TaskQuery("failed", "boom", null, 0, 10))).extracting(TaskInfo::id)
                    .containsExactly(failed.id());
            assertThat(catchThrowable(() -> new TaskQuery("FAILD", null, null, 0, 10)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'FAILD'")
                    .hasMessageContaining("FAILED");
        }
    }

    @Test
    void wrongInputNamesTheValue() {
        DataSource dataSource = h2("wrong");
        JdbcTaskStore store = new JdbcTaskStore(dataSource);
        store.initializeSchema();
        assertThat(catchThrowable(() -> new JdbcTaskStore(dataSource, "x; drop")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x; drop'");
        assertThat(catchThrowable(() -> TaskOrchestrator.builder().store(store).storeLease(Duration.ofSeconds(3))
                .storeFlushInterval(Duration.ofSeconds(2)).build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT2S").hasMessageContaining("PT3S");
        try (TaskOrchestrator o = TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec())
                .handler("send-invoice", Invoice.class, mailer::send).build()) {
            assertThat(catchThrowable(() -> o.to(Receipt.class).durable("send-invoise", new Invoice("a", 1)).run()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'send-invoise'")
                    .hasMessageContaining("send-invoice");
            assertThat(catchThrowable(() -> o.to(Receipt.class).durable("send-invoice", "not an invoice").run()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
        }
    }

    // README: "A result whose encoding is over maxResultSize characters ... is not kept: a warning names the
    // task, and storedResult gives a null value for it"
    @Test
    void aResultOverTheMaximumIsNotKept() {
        JdbcTaskStore store = new JdbcTaskStore(h2("big"));
        store.initializeSchema();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).durableCodec(new JsonDurableCodec())
                .maxResultSize(10).handler("big", Invoice.class, mailer::send).build()) {
            SpawningTask<Receipt> sent = orchestrator.to(Receipt.class).durable("big", new Invoice("a".repeat(100), 1))
                    .run();
            assertThat(sent.join().customer()).hasSize(100);
            assertThat(orchestrator.flushStore()).isTrue();
            assertThat(orchestrator.storedResult(sent.id(), Receipt.class)).hasValueSatisfying(result -> {
                assertThat(result.isOk()).isTrue();
                assertThat(result.orElseThrow()).isNull();
            });
        }
    }
}
