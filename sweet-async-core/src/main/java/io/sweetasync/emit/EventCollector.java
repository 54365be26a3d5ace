package io.sweetasync.emit;

/**
 * Where a receiver puts its results. Thread-safe. A key collected twice keeps the later value (by
 * emission order under {@code sequence()}). A collector belongs to the receive of one event (all its
 * attempts): it may be used from other threads during that receive, and refuses results once the receive
 * has returned ({@link IllegalStateException} naming the pipeline and the event), as they would be in no
 * final event. What a failed attempt collected stays when the event is retried
 * ({@link ErrorStrategy#withRetry}): results reach the results stream as they are collected, so a retried
 * receiver delivers them at least once, and its {@link #collectError} counts even if a retry succeeds.
 * Collect once nothing can fail any more, as below.
 *
 * <pre>{@code
 * (event, collector) -> {
 *     try { collector.collect(event.data().id(), enrich(event.data())); }
 *     catch (LookupException e) { collector.collectError(event.data().id(), e); }
 * }
 * }</pre>
 */
public interface EventCollector<K, V> {

    /**
     * Records a result.
     *
     * @throws IllegalStateException if the receive this collector was given to has returned
     */
    void collect(K key, V value);

    /**
     * Records a failure for {@code key} in {@link FinalEvent#errors()} without throwing: the receiver goes on
     * with the event. It is an error of the pipeline like a thrown one: under
     * {@link ErrorStrategy#stopOnFirst()} it stops the pipeline, which then fails with it.
     *
     * @throws NullPointerException if {@code error} is null (which would be the event's error then)
     * @throws IllegalStateException if the receive this collector was given to has returned
     */
    void collectError(K key, Throwable error);
}
