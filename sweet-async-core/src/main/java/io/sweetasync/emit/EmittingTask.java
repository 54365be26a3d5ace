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
     * under {@code sequence()}), to each subscriber from the first, at its own demand, whenever it
     * subscribes (also after the end). The stream ends exactly once, after every result, when the
     * pipeline task has ended: {@code onComplete} if it completed, otherwise {@code onError} with the
     * task's exception ({@link io.sweetasync.TaskFailedException} when it stopped on an error,
     * {@link io.sweetasync.TaskCancelledException}, {@link io.sweetasync.TaskTimeoutException}, or
     * {@link io.sweetasync.TaskRejectedException} if it never ran). Subscribers are signalled one signal
     * at a time, on a virtual thread of their own (never on the pipeline's workers); a subscriber that
     * throws is cancelled. {@code subscribe(null)} throws {@link NullPointerException}; a request of
     * {@code n <= 0} ends that subscription with {@link IllegalArgumentException} (rule 3.9).
     */
    Flow.Publisher<Map.Entry<K, V>> results();
}
