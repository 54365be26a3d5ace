package io.sweetasync.emit;

import java.util.Objects;

/**
 * How many workers run the sender.
 *
 * <pre>{@code
 * .sender(SenderStrategy.parallel(MinMax.of(1, 4)), emitter -> emitter.emitAll(expensiveLazyRows))
 * }</pre>
 */
public sealed interface SenderStrategy {

    /** One worker runs the sender once. */
    static SenderStrategy serial() {
        return Serial.INSTANCE;
    }

    /**
     * {@code workers.min()} workers start the sender; one more starts (up to {@code workers.max()}) each
     * time receivers find the buffer empty while every sender worker is still producing. See
     * {@link Emitter} for how workers share an {@code emitAll} source. At most 10,000 start at once
     * ({@code workers.min()}).
     */
    static SenderStrategy parallel(MinMax workers) {
        return new Parallel(workers);
    }

    /** One sender worker. */
    enum Serial implements SenderStrategy { INSTANCE }

    /** Several sender workers. */
    record Parallel(MinMax workers) implements SenderStrategy {
        public Parallel {
            PipelineWorkers.startedAtOnce(Objects.requireNonNull(workers, "workers").min(), "workers.min");
        }
    }
}
