package io.sweetasync.emit;

/**
 * Produces a pipeline's events. Runs as the pipeline's sender child task(s); when it returns, the
 * source is done. If it throws, the error is recorded (or, with {@link ErrorStrategy#stopOnFirst()},
 * fails the pipeline) and the events already emitted are still received; an {@link InterruptedException}
 * too, unless the pipeline is being stopped (cancelled, timed out or failed), when it ends the worker.
 *
 * <pre>{@code
 * Sender<String> lines = emitter -> emitter.emitAll(Files.lines(path));
 * }</pre>
 */
@FunctionalInterface
public interface Sender<E> {

    void send(Emitter<E> emitter) throws Exception;
}
