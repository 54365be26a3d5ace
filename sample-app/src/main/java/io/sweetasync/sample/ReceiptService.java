package io.sweetasync.sample;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Sends order receipts as durable tasks: each is stored before the request returns and runs at least
 * once even if the service is killed meanwhile (it then runs again at the next start, same task id,
 * attempt 2). Sending is simulated; the handler is idempotent in spirit: it only builds the receipt.
 */
@Service
class ReceiptService {

    /** What a receipt task is given: the order and how long "sending" takes. */
    record ReceiptRequest(String orderId, long sendMillis) {
    }

    /** What it produces: the receipt and on which attempt it was sent. */
    record Receipt(String orderId, String text, int attempt) {
    }

    /** The answer to a status request. */
    record ReceiptStatus(String taskId, String status, Receipt receipt, String failure) {
    }

    static final String HANDLER = "send-receipt";

    private final TaskOrchestrator orchestrator;
    private final Duration maxSend;

    ReceiptService(TaskOrchestrator orchestrator,
            @org.springframework.beans.factory.annotation.Value("${sample.receipts.max-send:10m}") Duration maxSend) {
        this.orchestrator = orchestrator;
        this.maxSend = maxSend;
        orchestrator.handler(HANDLER, ReceiptRequest.class, this::send);
    }

    /** "Sends" the receipt: takes the requested time, at most {@code sample.receipts.max-send}. */
    private Receipt send(ReceiptRequest request) throws InterruptedException {
        Duration sending = Duration.ofMillis(request.sendMillis());
        Thread.sleep(sending.compareTo(maxSend) > 0 ? maxSend : sending);
        int attempt = TaskContext.current().map(TaskContext::attempt).orElse(1);
        return new Receipt(request.orderId(), "Thank you for order " + request.orderId(), attempt);
    }

    TaskId start(String orderId, long sendMillis) {
        SpawningTask<Receipt> task = orchestrator.to(Receipt.class).named(HANDLER)
                .durable(HANDLER, new ReceiptRequest(orderId, sendMillis)).run();
        return task.id();
    }

    Optional<ReceiptStatus> status(TaskId id) {
        Optional<TaskResult<Receipt>> stored = orchestrator.storedResult(id, Receipt.class);
        if (stored.isPresent()) {
            return Optional.of(switch (stored.get()) {
                case TaskResult.Ok<Receipt>(Receipt receipt) -> new ReceiptStatus(id.toString(), "COMPLETED", receipt, null);
                case TaskResult.Err<Receipt>(var error) -> new ReceiptStatus(id.toString(), error.task().status().name(),
                        null, error.getMessage());
            });
        }
        return orchestrator.find(id).map(info -> new ReceiptStatus(id.toString(), info.status().name(), null, null));
    }
}
