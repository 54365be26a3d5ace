package io.sweetasync.emit;

/**
 * An error of a pipeline, in {@link FinalEvent#errors()}.
 *
 * <pre>{@code
 * done.errors().forEach(e -> log.warn("event {} ({}): {}", e.sequence(), e.key(), e.error().toString()));
 * }</pre>
 *
 * @param sequence the event's emission index; -1 for an error of the sender itself
 * @param key      the key given to {@code collectError}; null when the receiver or sender threw
 * @param error    what went wrong
 */
public record EventError<K>(long sequence, K key, Throwable error) {
}
