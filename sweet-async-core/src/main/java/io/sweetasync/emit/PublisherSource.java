package io.sweetasync.emit;

import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The subscriber behind {@link Sources#publisher}: takes a {@link Flow.Publisher}'s items, a few at a
 * time, and hands them to a sender worker ({@link #drainTo}), which emits them into the pipeline.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Demand is bounded: at most {@code prefetch} items are requested and not yet taken by the sender
 * ({@code outstanding}), so the queue holds at most {@code prefetch} items plus the terminal marker. A
 * publisher that sends more than requested (rule 1.1) fails the source and is cancelled; the item is
 * not kept.</li>
 * <li>Only the first subscription is used; any later {@code onSubscribe} is cancelled at once and
 * never requested from (rule 2.5).</li>
 * <li>Calls on the subscription ({@code request}, {@code cancel}) are made under {@code lock}, one at
 * a time (rule 2.7), though they come from the publisher's thread ({@code onSubscribe}) and the
 * sender's.</li>
 * <li>Signal methods only record and enqueue: they never call the subscription or the publisher from
 * {@code onComplete}/{@code onError} (rule 2.3), and return normally unless an argument is null, in
 * which case they throw {@link NullPointerException} (rule 2.13); a first {@code request} that throws
 * (rule 3.16 broken) ends the source with that exception as its error instead of escaping
 * {@code onSubscribe}. A null {@code onSubscribe} records nothing; a null item or a null {@code onError}
 * ends the source with that exception as its error (a null item also cancels the subscription), since
 * the publisher, told of the breach, sends nothing more (not even a terminal signal) and the sender would
 * otherwise wait for ever.</li>
 * <li>The sender sees exactly one end: the first terminal signal, a rule breach, or its own
 * cancellation; it cancels the subscription whenever it stops before the end.</li>
 * <li>An interrupt flag the publisher leaves set on the sender's thread (it signals inside {@code subscribe} or
 * {@code request}, which the sender calls) while nothing stops the pipeline does not refuse the items it
 * delivered: it is cleared, and set again once the source returns or fails ({@link #leftover}). A stop's interrupt
 * is never cleared (the engine records a stop before it interrupts, and the flag is cleared before the stop is
 * looked at).</li>
 * </ul>
 */
final class PublisherSource<E> implements Flow.Subscriber<E> {

    /** Put after the last item once the publisher completed or failed (the failure is in {@link #failure}). */
    private static final Object END = new Object();

    private final int prefetch;
    private final int batch;
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    /** Requested and not yet received. */
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object lock = new Object();
    /** Set under {@link #lock} when the sender stops, so a late subscription is cancelled too. */
    private boolean cancelled;
    /** Whether the sender has been told the end, or has stopped itself: no item is kept after that. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The publisher, called on the sender's thread, left its interrupt flag set; sender's thread only. */
    private boolean leftover;

    PublisherSource(int prefetch) {
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be at least 1, was " + prefetch);
        }
        this.prefetch = prefetch;
        this.batch = Math.max(1, prefetch / 2);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        Objects.requireNonNull(s, "subscription must not be null (rule 2.13)");
        Flow.Subscription current = subscription.compareAndExchange(null, s);
        if (current != null) {
            if (current != s) {
                s.cancel(); // rule 2.5: already subscribed
            }
            // the subscription in use, handed over again (rule 1.9 broken): cancelling it would stop the source for
            // good, with no terminal signal to end the sender's wait; it is kept, and this call ignored
            return;
        }
        synchronized (lock) {
            if (cancelled) {
                s.cancel(); // the sender stopped before the publisher got round to subscribing it
            }
            else {
                outstanding.addAndGet(prefetch);
                try {
                    s.request(prefetch);
                }
                catch (Throwable ex) { // a checked exception too: the subscription may be in a language without them
                    // Rule 3.16 broken. Thrown on from here (rule 2.13 broken in turn) it would reach only the
                    // publisher, on its own thread perhaps, and the sender would wait for ever: it ends the source.
                    end(ex);
                    cancelled = true; // nothing more is asked of a subscription that throws
                }
            }
        }
    }

    @Override
    public void onNext(E item) {
        if (item == null) {
            // Rule 2.13: the publisher takes the subscription as cancelled once this throws, so nothing more
            // comes, not even a terminal signal: the source ends here with the null as its error.
            NullPointerException error = new NullPointerException(
                    "the publisher emitted a null item (rule 2.13); its subscription is cancelled");
            end(error);
            cancelAfter(error);
            throw error;
        }
        if (ended.get()) {
            return; // after cancellation or the end (rule 2.8)
        }
        if (outstanding.getAndDecrement() <= 0) {
            IllegalStateException error = new IllegalStateException(
                    "the publisher sent more items than were requested (rule 1.1)");
            end(error);
            cancelAfter(error);
            return;
        }
        items.add(item);
    }

    @Override
    public void onError(Throwable error) {
        if (error == null) {
            // Rule 2.13, as for a null item: the publisher sends nothing more, so this failed end is the end.
            NullPointerException breach = new NullPointerException(
                    "the publisher signalled onError with a null throwable (rule 2.13)");
            end(breach);
            throw breach;
        }
        end(error);
    }

    @Override
    public void onComplete() {
        end(null);
    }

    /** The first end wins: the publisher's terminal signal, or a breach of the rules. */
    private void end(Throwable error) {
        if (ended.compareAndSet(false, true)) {
            failure.set(error);
            items.add(END);
        }
    }

    /**
     * Subscribes to {@code publisher}. A publisher that throws from {@code subscribe} (breaking rule 1.9)
     * may have handed over a subscription first: it is cancelled (rule 2.6), now or when it arrives,
     * since nothing will take its items, and the exception is thrown.
     */
    void subscribeTo(Flow.Publisher<? extends E> publisher) {
        try {
            boolean before = Thread.currentThread().isInterrupted();
            publisher.subscribe(this);
            keepLeftoverFlag(before);
        }
        catch (Throwable ex) { // a checked exception too, from a publisher in a language without them
            cancelAfter(ex);
            restoreLeftoverFlag();
            throw ex;
        }
    }

    /**
     * After a call into the publisher on the sender's thread, whose flag was {@code before}: a flag it set while
     * nothing stops the pipeline is cleared (the items it delivered are emitted) and noted in {@link #leftover}.
     */
    private void keepLeftoverFlag(boolean before) {
        if (!before && PipelineWorkers.clearLeftoverInterrupt()) {
            leftover = true;
        }
    }

    /** Sets the flag the publisher left again, for the sender's end to see as a plain sender's. */
    private void restoreLeftoverFlag() {
        if (leftover) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Emits every item until the publisher completes; then throws the publisher's error if it failed.
     * Cancels the subscription if it stops early (interrupted, or the emitter refused an item).
     */
    void drainTo(Emitter<? super E> emitter) throws Exception {
        int sinceRequest = 0;
        try {
            while (true) {
                Object next = Waits.take(items);
                if (next == END) {
                    break;
                }
                @SuppressWarnings("unchecked")
                E item = (E) next;
                emitter.emit(item);
                if (++sinceRequest == batch) {
                    request(sinceRequest);
                    sinceRequest = 0;
                }
            }
        }
        catch (Exception | Error ex) {
            cancelAfter(ex);
            throw ex;
        }
        finally {
            restoreLeftoverFlag();
        }
        Throwable error = failure.get();
        if (error != null) {
            throw error instanceof Exception exception ? exception : new IllegalStateException(error);
        }
    }

    /** More demand, from the sender; the subscription exists, since items came through it. */
    private void request(long n) {
        boolean before = Thread.currentThread().isInterrupted();
        synchronized (lock) {
            if (!cancelled) {
                outstanding.addAndGet(n);
                subscription.get().request(n);
            }
        }
        keepLeftoverFlag(before);
    }

    /**
     * {@link #cancel()} because of {@code cause}: a subscription whose {@code cancel} throws (breaking rule 3.15)
     * does not replace the failure that stopped the source; its exception is suppressed by {@code cause}.
     */
    private void cancelAfter(Throwable cause) {
        try {
            cancel();
        }
        catch (Throwable broken) { // a checked exception too, from a subscription in a language without them
            if (broken != cause) {
                cause.addSuppressed(broken);
            }
        }
    }

    private void cancel() {
        ended.set(true);
        synchronized (lock) {
            if (!cancelled) {
                cancelled = true;
                Flow.Subscription s = subscription.get();
                if (s != null) {
                    s.cancel();
                }
            }
        }
    }
}
