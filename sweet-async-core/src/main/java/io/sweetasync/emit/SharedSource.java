package io.sweetasync.emit;

import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link Iterable} or {@link java.util.stream.Stream} that parallel sender workers emit from
 * together: one iterator, pulled under {@code pulling}, so each element goes to exactly one worker.
 *
 * <h2>Invariants</h2>
 * {@code users}, {@code closed} and {@code closer} are guarded by {@code this}, which is never held while user
 * code runs; {@code done} and {@code iterator} by {@code pulling}, which is held while the iterator runs (user
 * code that may take long, or wait for a task) and is waited for as a managed, interruptible wait
 * ({@link Waits#lock}): a worker waiting for a sibling's pull hands its runtime slot on, as the sibling
 * waiting in the iterator did, and a stopped worker does not wait for the pull to end.
 * <ul>
 * <li>{@code users} counts the workers between {@link #join} and {@link #leave}.</li>
 * <li>Once {@code done} (the iterator ran dry, threw, or the source was closed) the iterator is never
 * touched again: {@link #next} returns {@link #END} and {@link #join} refuses, so a worker that comes
 * late never reads a closed stream. Once closed, the iterator and closer are dropped.</li>
 * <li>The source is closed exactly once, by the worker whose {@link #leave} takes {@code users} to
 * zero: no worker is using it then, and none can join it afterwards.</li>
 * </ul>
 */
final class SharedSource {

    /** Returned by {@link #next} once the source has no more elements for anyone. */
    static final Object END = new Object();

    /** A closed pass, nobody may join: what {@link SharedSources} hands a worker for a closed pass it dropped. */
    static final SharedSource CLOSED = closed();

    /** Dropped once closed, so a closed source keeps nothing of its elements alive ({@link SharedSources}). */
    private Iterator<?> iterator;
    private final ReentrantLock pulling = new ReentrantLock();
    /** Closes the stream; {@code null} for an iterable, and once it has been run. */
    private Runnable closer;
    private int users;
    /** No more pulls: the iterator ran dry or threw, or the source was closed. */
    private boolean done;
    /** The last user has left: closed (or being closed), and nobody may join again. */
    private boolean closed;

    SharedSource(Iterator<?> iterator, Runnable closer) {
        this.iterator = iterator;
        this.closer = closer;
    }

    private static SharedSource closed() {
        SharedSource source = new SharedSource(null, null);
        source.done = true;
        source.closed = true;
        return source;
    }

    /** Whether the last user has left: nobody may join it any more. */
    synchronized boolean isClosed() {
        return closed;
    }

    /** Starts using the source; {@code false} once it is closed (nothing left for anyone). */
    synchronized boolean join() {
        if (closed) {
            return false;
        }
        users++;
        return true;
    }

    /**
     * The next element, or {@link #END}. An exception of the source ends it for every worker.
     *
     * @throws InterruptedException if interrupted while a sibling pulls
     */
    Object next() throws InterruptedException {
        Waits.lock(pulling);
        try {
            if (done) {
                return END;
            }
            if (!iterator.hasNext()) {
                done = true;
                return END;
            }
            return iterator.next();
        }
        catch (Throwable ex) { // a checked exception too, from an iterator in a language without them
            done = true;
            throw ex;
        }
        finally {
            pulling.unlock();
        }
    }

    /**
     * Stops using the source. The last user to leave closes it, whether it was drained or its users
     * stopped early: nobody uses it any more, and nobody may join it afterwards.
     */
    void leave() {
        Runnable close;
        synchronized (this) {
            users--;
            if (users > 0 || closed) {
                return;
            }
            closed = true;
            close = closer;
            closer = null;
        }
        // Never waits: whoever pulls (or waits to) has joined and not left, and nobody may join any more.
        pulling.lock();
        try {
            done = true;
            iterator = null;
        }
        finally {
            pulling.unlock();
        }
        if (close != null) {
            close.run();
        }
    }
}
