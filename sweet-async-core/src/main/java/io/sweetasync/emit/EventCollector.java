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
     * Records a failure for {@code key}, without failing the pipeline.
     *
     * @throws NullPointerException if {@code error} is null (which would be the event's error then)
     */
    void collectError(K key, Throwable error);
}
