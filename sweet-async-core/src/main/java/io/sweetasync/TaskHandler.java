package io.sweetasync;

/**
 * The work of a durable task, registered by name so that any process can run it again after a crash:
 * {@code TaskOrchestrator.builder().handler("send-invoice", Invoice.class, handler)}, submitted with
 * {@code orchestrator.to(Receipt.class).durable("send-invoice", invoice)}. A durable task runs at least
 * once: make the handler idempotent; {@code TaskContext.current().orElseThrow().attempt()} tells a re-run.
 *
 * <pre>{@code
 * TaskHandler<Invoice, Receipt> sendInvoice = invoice -> mailer.send(invoice);
 * }</pre>
 *
 * @param <A> the argument type (encoded by the orchestrator's {@link io.sweetasync.spi.DurableCodec})
 * @param <R> the result type
 */
@FunctionalInterface
public interface TaskHandler<A, R> {

    /** Does the work for {@code argument}; runs as the body of a task. */
    R handle(A argument) throws Exception;
}
