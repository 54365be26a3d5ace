package io.sweetasync.emit;

import java.time.Instant;

/**
 * One emitted item.
 *
 * <pre>{@code
 * (event, collector) -> collector.collect(event.sequence(), transform(event.data()))
 * }</pre>
 *
 * @param sequence  0-based emission index, unique within the pipeline
 * @param data      the item
 * @param emittedAt when it was emitted
 */
public record Event<E>(long sequence, E data, Instant emittedAt) {
}
