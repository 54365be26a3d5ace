package io.sweetasync;

import java.util.Objects;
import java.util.function.Function;

/**
 * A durable task ready to submit: a registered {@link TaskHandler} and its argument, with the settings
 * of the {@link SpawningTaskBuilder} it came from. Immutable and reusable.
 *
 * <p>{@link #run()} stores the invocation in the orchestrator's {@link io.sweetasync.spi.TaskStore}
 * before it returns (an argument the codec cannot encode fails here, naming the handler), then starts it
 * on this member at once — or, in a Spring transaction with the starter, right after commit. If this
 * process dies before the task ends, another start of any member sharing the store runs it again, with
 * the same id and the attempt count going up, until it ends; so it runs at least once, and the handler
 * must be idempotent.
 *
 * <pre>{@code
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder()
 *         .store(new JdbcTaskStore(dataSource))
 *         .handler("send-invoice", Invoice.class, invoice -> mailer.send(invoice))
 *         .build();
 * SpawningTask<Receipt> sent = orchestrator.to(Receipt.class).named("invoice-42")
 *         .durable("send-invoice", invoice).run();
 * }</pre>
 *
 * @param <T> the handler's result type
 */
public final class DurableTaskBuilder<T> {

    private final TaskOrchestrator orchestrator;
    private final TaskSpec<T> spec;
    private final String handler;
    private final Object argument;

    DurableTaskBuilder(TaskOrchestrator orchestrator, TaskSpec<T> spec, String handler, Object argument) {
        this.orchestrator = orchestrator;
        this.spec = spec;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.argument = argument;
    }

    /**
     * Stores the invocation, then starts it; returns its handle.
     *
     * @throws IllegalStateException if the orchestrator has no store, or storing failed
     * @throws IllegalArgumentException if no handler has that name, or the argument cannot be encoded
     */
    public SpawningTask<T> run() {
        return orchestrator.durables().submit(spec, handler, argument);
    }

    /**
     * Runs the task and waits for its value.
     *
     * @throws AsyncTaskException if the task failed, timed out, was cancelled or rejected
     */
    public T await() {
        return run().join();
    }

    /** Runs the task, waits, and returns what {@code resultHandler} makes of its result. */
    public <R> R awaitResult(Function<TaskResult<T>, R> resultHandler) {
        Objects.requireNonNull(resultHandler, "resultHandler");
        return resultHandler.apply(run().result());
    }
}
