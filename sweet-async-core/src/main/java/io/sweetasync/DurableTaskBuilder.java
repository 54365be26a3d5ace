package io.sweetasync;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * A durable task ready to submit: a registered {@link TaskHandler} and its argument, with the settings
 * of the {@link SpawningTaskBuilder} it came from. Immutable and reusable.
 *
 * <p>{@link #run()} stores the invocation in the orchestrator's {@link io.sweetasync.spi.TaskStore}
 * before it returns (an argument the codec cannot encode fails here, naming the handler), then starts it
 * at once (on this member, or on the member the cluster chose, below) — or, in a Spring transaction with
 * the starter, right after commit. If this process dies before the task ends, another start of any member sharing the store runs it again, with
 * the same id and the attempt count going up, until it ends; so it runs at least once, and the handler
 * must be idempotent. A re-run keeps the name, tags, priority, group, runtime, timeout and retry policy
 * given here (the store keeps them; a setting not given takes the running member's default), and the runs
 * lost with a process count as attempts toward its retries.
 *
 * <p>With a cluster ({@link TaskOrchestrator.Builder#cluster TaskOrchestrator.Builder.cluster}) whose members share
 * the store, {@link #run()}
 * places the task on the least loaded member that has the handler and a store (this one included): the
 * invocation is stored owned by that member, which runs it and writes its record, and the returned handle
 * (with the task's id) follows it there — its status, {@code join()}, {@code result()}, and {@code cancel()}
 * interrupting the body there. If that member leaves the cluster, the handle waits for the next run, which
 * a member claims once the lost member's lease in the store lapses, and completes with that run's result.
 * The result must then cross the network too (for Hazelcast: {@code Serializable}).
 *
 * <pre>{@code
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder()
 *         .store(new JdbcTaskStore(dataSource)).durableCodec(new JsonDurableCodec())
 *         .handler("send-invoice", Invoice.class, mailer::send)
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
    /** The builder's value type, or null (see {@link WrongResultType}). */
    private final Class<T> type;

    DurableTaskBuilder(TaskOrchestrator orchestrator, TaskSpec<T> spec, String handler, Object argument,
            Class<T> type) {
        this.orchestrator = orchestrator;
        this.spec = spec;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.argument = argument;
        this.type = type;
    }

    /**
     * Stores the invocation, then starts it; returns its handle.
     *
     * @throws IllegalStateException if the orchestrator has no store, storing failed, or the orchestrator's
     *                               {@link io.sweetasync.spi.DurableStartGate} failed before starting it
     * @throws IllegalArgumentException if no handler has that name, or the argument cannot be encoded (also
     *                                  when the codec encodes it as {@code null}), or the retry policy is too
     *                                  large to store (over 4,000 characters as stored: hundreds of rules)
     */
    public SpawningTask<T> run() {
        return orchestrator.parts().durables().submit(spec, handler, argument, type);
    }

    /**
     * Runs the task and waits for its value. Unlike {@link SpawningTaskBuilder#await}, an interrupt of the
     * waiting thread does not cancel the task: it is stored to run at least once whatever happens to its
     * submitter (a crash during the wait would not stop it either); the {@link CancellationException} names
     * the task, to find or cancel it by its id.
     *
     * @throws AsyncTaskException    if the task failed, timed out, was cancelled or rejected
     * @throws CancellationException if the waiting thread was interrupted (its interrupt status is kept; the task
     *                               runs on)
     */
    public T await() {
        return run().join();
    }

    /**
     * Runs the task, waits, and returns what {@code resultHandler} makes of its result. An interrupt of the
     * waiting thread leaves the task running, as for {@link #await}.
     */
    public <R> R awaitResult(Function<TaskResult<T>, R> resultHandler) {
        Objects.requireNonNull(resultHandler, "resultHandler");
        return resultHandler.apply(run().result());
    }
}
