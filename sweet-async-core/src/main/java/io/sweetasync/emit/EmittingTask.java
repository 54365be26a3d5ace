package io.sweetasync.emit;

import io.sweetasync.SpawningTask;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The handle of a running pipeline: a task whose value is the {@link FinalEvent}, plus live progress
 * and the results as a {@link Flow.Publisher}.
 *
 * <pre>{@code
 * EmittingTask<String, User> task = pipeline.run();
 * Flux<Map.Entry<String, User>> users = JdkFlowAdapter.flowPublisherToFlux(task.results());
 * }</pre>
 */
public interface EmittingTask<K, V> extends SpawningTask<FinalEvent<K, V>> {

    /** Completes with the final event, or exceptionally as {@link SpawningTask#toCompletableFuture()}. */
    CompletableFuture<FinalEvent<K, V>> finalEvent();

    /** Counts right now. */
    PipelineProgress progress();

    /**
     * Results as they are collected (collection order; {@link FinalEvent#collected()} has emission order
     * under {@code sequence()}), to each subscriber from the first, at its own demand. Completes when
     * the pipeline does; signals the error if it stops on one.
     */
    Flow.Publisher<Map.Entry<K, V>> results();
}
