package io.sweetasync.emit;

/**
 * Handles one event. Runs on the pipeline's receiver workers, concurrently with itself unless the
 * strategy is serial. A thrown exception is the event's error: retried per the error strategy, then
 * recorded in {@link FinalEvent#errors()} or (stop on first) failing the pipeline; an
 * {@link InterruptedException} too, unless the pipeline is being stopped (cancelled, timed out or failed),
 * when it ends the worker.
 *
 * <pre>{@code
 * Receiver<UserRow, String, User> enrich = (event, collector) ->
 *         collector.collect(event.data().id(), users.enrich(event.data()));
 * }</pre>
 */
@FunctionalInterface
public interface Receiver<E, K, V> {

    void receive(Event<E> event, EventCollector<K, V> collector) throws Exception;
}
