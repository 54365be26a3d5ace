package io.sweetasync.emit;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * A complete pipeline; run it. Reusable: each terminal call starts a new run.
 *
 * <h2>Key and value types</h2>
 * In a chained call Java cannot infer {@code K} and {@code V} from a lambda receiver's body, so they
 * arrive here as {@code Object}. The terminal methods therefore take their key and value types from
 * where the result goes ({@code FinalEvent<String, User> done = ...awaitFinalEvent()}): no type witness,
 * no explicit lambda parameter types; the handler form from the handler's parameter type, where it is
 * written out. That assignment is checked by you, not the compiler, unless the
 * receiver's types were explicit (a {@code Receiver<E, K, V>} variable), in which case they bound it.
 *
 * <pre>{@code
 * FinalEvent<Long, String> upper = pipeline.awaitFinalEvent();
 * EmittingTask<Long, String> running = pipeline.run();
 * }</pre>
 */
public final class ReceivingStage<E, K, V> {

    private final TaskOrchestrator orchestrator;
    private final PipelineSpec spec;
    private final SenderStrategy senderStrategy;
    private final Sender<E> sender;
    private final ReceiverStrategy receiverStrategy;
    private final Receiver<E, K, V> receiver;

    ReceivingStage(TaskOrchestrator orchestrator, PipelineSpec spec, SenderStrategy senderStrategy, Sender<E> sender,
            ReceiverStrategy receiverStrategy, Receiver<E, K, V> receiver) {
        this.orchestrator = orchestrator;
        this.spec = spec;
        this.senderStrategy = senderStrategy;
        this.sender = sender;
        this.receiverStrategy = receiverStrategy;
        this.receiver = receiver;
    }

    /** Starts the pipeline and returns its handle at once. */
    @SuppressWarnings("unchecked")
    public <K2 extends K, V2 extends V> EmittingTask<K2, V2> run() {
        Pipeline<E, K, V> pipeline = new Pipeline<>(spec, orchestrator, senderStrategy, sender, receiverStrategy, receiver);
        // never retried as a whole, whatever the orchestrator's default: its source is consumed once
        SpawningTaskBuilder<FinalEvent<K, V>> builder = spec.applyTo(orchestrator.<FinalEvent<K, V>>to()
                .named(spec.name()).tag("kind", "pipeline").retry(RetryPolicy.none()));
        if (spec.timeout() != null) {
            builder = builder.timeout(spec.timeout());
        }
        SpawningTask<FinalEvent<K, V>> task = builder.run(pipeline::coordinate);
        pipeline.attach(task);
        return (EmittingTask<K2, V2>) (EmittingTask<?, ?>) new DefaultEmittingTask<>(task, pipeline);
    }

    /**
     * Runs the pipeline and waits for its final event. If the waiting thread is interrupted, the pipeline
     * is cancelled and {@link CancellationException} thrown (its interrupt status kept).
     *
     * @throws io.sweetasync.AsyncTaskException if it failed (stop on first error, failed setup), timed out
     *                                          or was cancelled
     */
    public <K2 extends K, V2 extends V> FinalEvent<K2, V2> awaitFinalEvent() {
        return resultOrCancel(this.<K2, V2>run()).orElseThrow();
    }

    /**
     * Runs the pipeline, waits, and returns what {@code handler} makes of its result (cancelled if the wait is
     * interrupted). Like {@link #awaitFinalEvent()} it takes the key and value types from the handler: a
     * handler whose parameter type is written out (or a method reference) sees the collected types; an
     * implicitly typed lambda sees {@code Object} keys and values.
     *
     * <pre>{@code
     * String name = pipeline.awaitFinalEvent((TaskResult<FinalEvent<String, User>> result) ->
     *         result.map(done -> done.collected().get("u0").displayName()).orElse("nobody"));
     * }</pre>
     */
    public <K2 extends K, V2 extends V, R> R awaitFinalEvent(Function<TaskResult<FinalEvent<K2, V2>>, R> handler) {
        Objects.requireNonNull(handler, "handler"); // before anything runs, as SpawningTaskBuilder.awaitResult checks
        return handler.apply(resultOrCancel(this.<K2, V2>run()));
    }

    /**
     * Waits for {@code pipeline}; if the waiting thread is interrupted, cancels the pipeline (its caller holds
     * no handle to do so) before the {@link CancellationException} goes on.
     */
    private static <K, V> TaskResult<FinalEvent<K, V>> resultOrCancel(EmittingTask<K, V> pipeline) {
        try {
            return pipeline.result();
        }
        catch (CancellationException interrupted) {
            pipeline.cancel();
            throw interrupted;
        }
    }
}
