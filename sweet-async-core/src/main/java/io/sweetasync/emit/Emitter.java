package io.sweetasync.emit;

import java.util.stream.Stream;

/**
 * Puts events into a pipeline's bounded buffer. Thread-safe. Every method blocks while the buffer is
 * full (backpressure), and throws {@link InterruptedException} when the pipeline is cancelled (its
 * sender workers are interrupted, also while they wait for room).
 *
 * <p>A sender has finished when its task has: after its body returned and after its child tasks ended
 * (a body's return waits for its children), so a sender may hand its emitting to child tasks
 * ({@code TaskContext.runChild}) without joining them. An emitter kept after its pipeline stopped taking
 * events (its senders finished, or it was cancelled, timed out or failed) refuses them: every method
 * throws {@link IllegalStateException} naming the pipeline and why (with the pipeline's {@link io.sweetasync.AsyncTaskException} as cause
 * once it has ended), also a call that was waiting for room when that happened. No event is accepted
 * and then lost.
 *
 * <p>With {@link SenderStrategy#parallel parallel senders} several workers run the sender at once;
 * {@code emitAll} calls on the <em>same</em> {@link Iterable} or {@link Stream} instance from several
 * workers share one iterator, so each element is emitted exactly once. A shared stream is closed once,
 * by the last worker using it as it leaves; a worker that comes to it after that emits nothing from it.
 * Sharing goes call by call: each worker's second {@code emitAll} of an instance shares the second pass
 * over it, so a body that emits the same list twice emits it twice, as a serial sender would.
 *
 * <pre>{@code
 * .sender(emitter -> {
 *     for (Row row : rows) {
 *         emitter.emit(row);
 *     }
 * })
 * }</pre>
 */
public interface Emitter<E> {

    /**
     * Emits one event; blocks while the buffer is full.
     *
     * @throws IllegalStateException once the pipeline takes no more events (see above)
     */
    void emit(E data) throws InterruptedException;

    /**
     * Emits every element, in iteration order; blocks while the buffer is full. Elements the source
     * yields quickly are handed over in batches (elements it is slow to yield, one at a time), and an
     * element never waits more than one coordinator tick (25 ms) for a stalled source to fill its batch.
     */
    void emitAll(Iterable<? extends E> data) throws InterruptedException;

    /** Emits every element of the stream (then closes it), like {@link #emitAll(Iterable)}. */
    void emitAll(Stream<? extends E> data) throws InterruptedException;

    /** Which sender worker this is, from 0 (always 0 with a serial sender). */
    int senderIndex();
}
