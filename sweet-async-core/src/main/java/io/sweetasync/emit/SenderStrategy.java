package io.sweetasync.emit;

import java.util.Objects;

/**
 * How many workers run the sender. Parallel senders pay when making each event is slow (a load, a call) and
 * each worker makes its own: e.g. each takes ids from one thread-safe queue and loads them side by side.
 *
 * <pre>{@code
 * Queue<Long> ids = new ConcurrentLinkedQueue<>(idsToLoad);
 * .sender(SenderStrategy.parallel(MinMax.of(1, 4)), emitter -> {
 *     for (Long id = ids.poll(); id != null; id = ids.poll()) {
 *         emitter.emit(repository.load(id)); // up to four loads at once
 *     }
 * })
 * }</pre>
 *
 * Workers that call {@code emitAll} on one shared {@code Iterable} or {@code Stream} share its iterator, which is
 * pulled one element at a time under a lock (an iterator is not thread-safe): each element is emitted once, but
 * the work of making an element inside the iterator or the stream's stages ({@code map}, a lazy query) is done
 * one element at a time, as by one sender.
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
