package io.sweetasync.sample;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.Sender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Imports the bundled orders: a streaming pipeline whose sender reads the CSV line by line and whose
 * 16 parallel receivers price each order through the pricing service (each call admitted by the
 * adaptive {@code pricing} group) and write it to the database.
 */
@Service
public class OrderImporter {

    private static final int KEPT_IMPORTS = 50;

    private final TaskOrchestrator orchestrator;
    private final PricingService pricing;
    private final JdbcClient jdbc;
    /** Recent imports by id, oldest evicted first. Guarded by itself. */
    private final Map<TaskId, EmittingTask<String, Long>> imports = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TaskId, EmittingTask<String, Long>> eldest) {
            return size() > KEPT_IMPORTS;
        }
    };

    OrderImporter(TaskOrchestrator orchestrator, PricingService pricing, JdbcClient jdbc) {
        this.orchestrator = orchestrator;
        this.pricing = pricing;
        this.jdbc = jdbc;
    }

    /** Starts an import and returns its task id at once. */
    public TaskId start() {
        EmittingTask<String, Long> task = orchestrator.emits(String.class)
                .named("order-import")
                .bufferSize(128)
                .group("pricing")
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(20))))
                .sender(csvLines("data/orders.csv"))
                .receiver(ReceiverStrategy.parallel(16), (event, collector) -> {
                    String[] fields = event.data().split(",");
                    long unit = pricing.unitPriceCents(fields[2]);
                    long total = unit * Integer.parseInt(fields[3]);
                    long importId = importIdOf(event);
                    jdbc.sql("merge into priced_order key (import_id, order_id) values (?, ?, ?, ?, ?, ?)")
                            .params(importId, fields[0], fields[1], fields[2], Integer.parseInt(fields[3]), total)
                            .update();
                    collector.collect(fields[0], total);
                })
                .run();
        synchronized (imports) {
            imports.put(task.id(), task);
        }
        return task.id();
    }

    /** The pipeline task's id, read from inside its receiver (a child of the pipeline task). */
    private static long importIdOf(io.sweetasync.emit.Event<String> event) {
        return io.sweetasync.TaskContext.current().orElseThrow().parent().orElseThrow().id().value();
    }

    /** An import's state, if it is one of the recent ones. */
    public Optional<ImportStatus> status(TaskId id) {
        EmittingTask<String, Long> task;
        synchronized (imports) {
            task = imports.get(id);
        }
        if (task == null) {
            return Optional.empty();
        }
        var progress = task.progress();
        Long written = jdbc.sql("select count(*) from priced_order where import_id = ?").param(id.value())
                .query(Long.class).single();
        return Optional.of(new ImportStatus(id.toString(), task.status().name(), progress.emitted(), progress.received(),
                progress.errors(), written));
    }

    /** An import's state. */
    public record ImportStatus(String id, String status, long emitted, long received, long errors, long rowsWritten) {
    }

    /** The lines of a classpath CSV file after its header, read as they are emitted. */
    private static Sender<String> csvLines(String resource) {
        return emitter -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new ClassPathResource(resource).getInputStream(), StandardCharsets.UTF_8))) {
                reader.readLine();
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!line.isBlank()) {
                        emitter.emit(line);
                    }
                }
            }
        };
    }
}
