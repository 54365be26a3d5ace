package io.sweetasync.emit;

/**
 * Where a receiver puts its results. Thread-safe. A key collected twice keeps the later value (by
 * emission order under {@code sequence()}).
 *
 * <pre>{@code
 * (event, collector) -> {
 *     try { collector.collect(event.data().id(), enrich(event.data())); }
 *     catch (LookupException e) { collector.collectError(event.data().id(), e); }
 * }
 * }</pre>
 */
public interface EventCollector<K, V> {

    /** Records a result. */
    void collect(K key, V value);

    /**
     * Records a failure for {@code key} in {@link FinalEvent#errors()} without throwing: the receiver goes on
     * with the event. It is an error of the pipeline like a thrown one: under
     * {@link ErrorStrategy#stopOnFirst()} it stops the pipeline, which then fails with it.
     *
     * @throws NullPointerException if {@code error} is null (which would be the event's error then)
     */
    void collectError(K key, Throwable error);
}
