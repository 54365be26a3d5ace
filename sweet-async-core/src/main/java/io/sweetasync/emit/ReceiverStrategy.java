package io.sweetasync.emit;

import java.time.Duration;
import java.util.Objects;

/**
 * How many workers take events from the buffer, and how.
 *
 * <pre>{@code
 * ReceiverStrategy.parallel(8)                                  // 8 workers
 * ReceiverStrategy.batched(100, Duration.ofMillis(50))          // one worker, events taken 100 at a time
 * ReceiverStrategy.adaptive(MinMax.of(2, 32))                   // workers follow backlog and latency
 * }</pre>
 */
public sealed interface ReceiverStrategy {

    /** One worker; events are received one at a time in emission order. */
    static ReceiverStrategy serial() {
        return new Parallel(1);
    }

    /**
     * A fixed number of workers, 1 to 10,000 (all started with the pipeline; for more, {@link #adaptive}).
     *
     * @throws IllegalArgumentException if {@code workers} is outside 1 to 10,000
     */
    static ReceiverStrategy parallel(int workers) {
        return new Parallel(workers);
    }

    /**
     * One worker that takes events in batches: as many as are buffered up to {@code size}, waiting up to
     * {@code maxDelay} after the first for the batch to fill, then receives them in emission order.
     * Progress counts are published per batch; collected results reach the results stream as they are
     * collected, as with every strategy, while the rest of their batch is still being received. Taken events
     * count against the pipeline's {@code bufferSize}, so a batch holds at most {@code bufferSize + 1} events:
     * a larger {@code size} is taken as that.
     */
    static ReceiverStrategy batched(int size, Duration maxDelay) {
        return new Batched(size, maxDelay);
    }

    /**
     * Between {@code workers.min()} and {@code workers.max()} workers: a worker is added while the backlog
     * grows and per-event latency holds steady (more workers help) and the last one added has begun (on a
     * runtime whose threads are all busy, more would only queue there), and one retires while the buffer
     * stays empty. The current count is in the pipeline's progress ({@code receivers}). The {@code min}
     * start with the pipeline: at most 10,000.
     */
    static ReceiverStrategy adaptive(MinMax workers) {
        return new Adaptive(workers);
    }

    /** Fixed workers. */
    record Parallel(int workers) implements ReceiverStrategy {
        public Parallel {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            PipelineWorkers.startedAtOnce(workers, "workers");
        }
    }

    /** Batches on one worker. */
    record Batched(int size, Duration maxDelay) implements ReceiverStrategy {
        public Batched {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, was " + size);
            }
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (maxDelay.isNegative()) {
                throw new IllegalArgumentException("maxDelay must not be negative, was " + maxDelay);
            }
        }
    }

    /** Workers that follow backlog and latency. */
    record Adaptive(MinMax workers) implements ReceiverStrategy {
        public Adaptive {
            PipelineWorkers.startedAtOnce(Objects.requireNonNull(workers, "workers").min(), "workers.min");
        }
    }
}
