package io.sweetasync.emit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The emitter {@link Sources#chunked(Sender, int)} hands its source: gathers what the source emits into
 * lists of {@code size} and emits each full list into the pipeline's emitter.
 *
 * <p>Thread-safe, as every {@link Emitter}: {@code chunk} is guarded by {@code this}, and each element
 * joins exactly one list. A full list is taken out of {@code chunk} under the lock and emitted outside it
 * (emitting may block on a full buffer), so lists from several emitting threads may reach the pipeline in
 * either order; from one thread they keep its order. Lists are unmodifiable views of lists nobody writes
 * to again; they may hold {@code null} elements, which are events like any other. {@code chunk} grows as
 * elements come, so a huge {@code size} reserves nothing. Once {@link #close}d (the source returned or
 * failed), it refuses elements, as a kept pipeline emitter does, rather than keep them where nothing will
 * emit them. An element is refused, not accepted, on an interrupted thread ({@link #emit}); a list whose emit
 * is interrupted while it waits for room (the pipeline being stopped) is dropped with the rest of the run.
 */
final class ChunkingEmitter<E> implements Emitter<E> {

    private final Emitter<? super List<E>> target;
    private final int size;
    /** Guarded by this. */
    private List<E> chunk = new ArrayList<>();
    /** Guarded by this. */
    private boolean finished;

    ChunkingEmitter(Emitter<? super List<E>> target, int size) {
        this.target = target;
        this.size = size;
    }

    /**
     * Refuses {@code data} with {@link InterruptedException} if this thread's interrupt flag is set, as the
     * pipeline's own emitter does (its wait for room is interruptible), so an element is accepted only on a thread
     * whose list's emit can hand it over: accepted with the flag set, it joined a list whose emit then failed, and
     * the elements accepted into that list before it were lost.
     */
    @Override
    public void emit(E data) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("the chunked source's thread was interrupted: the element is not accepted");
        }
        List<E> full = null;
        synchronized (this) {
            checkOpen();
            chunk.add(data);
            if (chunk.size() == size) {
                full = chunk;
                chunk = new ArrayList<>();
            }
        }
        if (full != null) {
            target.emit(Collections.unmodifiableList(full));
        }
    }

    /** Refuses elements once the source has returned or failed. Call holding this. */
    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("the chunked source has returned or failed: it takes no more elements");
        }
    }

    @Override
    public void emitAll(Iterable<? extends E> data) throws InterruptedException {
        synchronized (this) {
            checkOpen(); // also when there is nothing to emit
        }
        for (E item : data) {
            emit(item);
        }
    }

    @Override
    public void emitAll(Stream<? extends E> data) throws InterruptedException {
        try (data) { // closed also when refused
            synchronized (this) {
                checkOpen();
            }
            Iterator<? extends E> items = data.iterator();
            while (items.hasNext()) {
                emit(items.next());
            }
        }
    }

    @Override
    public int senderIndex() {
        return 0;
    }

    /**
     * The source has returned or failed: no element is taken after this. Returns the last list, shorter
     * than {@code size} (empty if none), for the caller to emit.
     */
    List<E> close() {
        synchronized (this) {
            finished = true;
            List<E> last = chunk;
            chunk = List.of();
            return Collections.unmodifiableList(last);
        }
    }
}
