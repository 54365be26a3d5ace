package io.sweetasync.emit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a pipeline, produced exactly once, after the sender and every receiver have finished
 * (also for an empty source).
 *
 * <pre>{@code
 * FinalEvent<String, User> done = pipeline.awaitFinalEvent();
 * System.out.printf("%d emitted, %d received, %d errors in %s%n",
 *         done.emitted(), done.received(), done.errors().size(), done.duration());
 * }</pre>
 *
 * @param collected what receivers collected; iterates in emission order under {@code sequence()},
 *                  in collection order otherwise
 * @param errors    errors recorded (events whose receiver failed for good, collected errors, a failed sender)
 * @param emitted   events emitted
 * @param received  events whose receiver finished (successfully or not)
 * @param duration  from the pipeline's start to its end
 */
public record FinalEvent<K, V>(Map<K, V> collected, List<EventError<K>> errors, long emitted, long received,
        Duration duration) {

    public FinalEvent {
        collected = java.util.Collections.unmodifiableMap(collected);
        errors = List.copyOf(errors);
    }
}
