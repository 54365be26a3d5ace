package io.sweetasync.emit;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collected results in collection order, published to any number of {@link Flow.Subscriber}s, each
 * at its own pace (it gets only what it requested) and from the first result, whenever it subscribed.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>The log is append-only and ends once ({@link #complete} or {@link #fail}, whichever comes
 * first); {@code entries} and {@code ending} are written under the {@code entries} lock, and nothing
 * is appended after the end, so a reader that sees the end also sees the final size.</li>
 * <li>Each subscription signals its subscriber from one thread at a time: every signal, the first
 * ({@code onSubscribe}) included, is sent inside the subscription's drain loop, which runs on the
 * {@code deliveries} executor and is owned by one run at a time: the caller that moves {@code wip} from
 * zero starts it, later callers only add to {@code wip} for it to see. A new subscription starts with
 * {@code wip} at one and its loop sends {@code onSubscribe} first, so nothing can reach a subscriber
 * before or during its {@code onSubscribe}.</li>
 * <li>A subscription is terminated at most once ({@code terminated}, touched only by the drain
 * owner), and sends nothing after that: a terminal signal is always the last.</li>
 * <li>A cancelled or terminated subscription is removed from {@code subscriptions} and drops its
 * subscriber (rule 3.13).</li>
 * </ul>
 * Subscribers are guests: they are signalled on the delivery executor (never on the pipeline's
 * workers, nor on the thread that calls {@code subscribe}, {@code request} or ends the log), so a slow
 * subscriber slows only itself; an exception from one of their methods (a rule 2.13 violation) cancels
 * their subscription and is logged, and never reaches the pipeline.
 */
final class ResultLog<K, V> implements Flow.Publisher<Map.Entry<K, V>> {

    private static final System.Logger LOG = System.getLogger(ResultLog.class.getName());

    /** How the log ended: {@code error == null} for completion. */
    private record Ending(Throwable error) {
    }

    private final Executor deliveries;
    private final List<Map.Entry<K, V>> entries = new ArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile Ending ending;

    /** Signals subscribers on {@code deliveries}, which must run each task it is given, on another thread. */
    ResultLog(Executor deliveries) {
        this.deliveries = deliveries;
    }

    /** Appends a result; ignored once the log has ended (a receiver that outlived its pipeline). */
    void add(Map.Entry<K, V> entry) {
        append(entry);
        drain();
    }

    /** Keeps {@code entry} (not once the log has ended), without delivering it yet: {@link #drain} does. */
    void append(Map.Entry<K, V> entry) {
        synchronized (entries) {
            if (ending != null) {
                return;
            }
            entries.add(entry);
        }
    }

    /** Delivers what each subscriber has asked for and not had yet, on this thread. */
    void drain() {
        subscriptions.forEach(Subscription::drain);
    }

    /** Ends the log normally: each subscriber completes after it has seen every result. */
    void complete() {
        end(new Ending(null));
    }

    /** Ends the log with {@code error}: each subscriber gets it after every result. */
    void fail(Throwable error) {
        end(new Ending(Objects.requireNonNull(error, "error")));
    }

    private void end(Ending end) {
        synchronized (entries) {
            if (ending != null) {
                return;
            }
            ending = end;
        }
        subscriptions.forEach(Subscription::drain);
    }

    /** Every result so far, in collection order. */
    List<Map.Entry<K, V>> snapshot() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }

    private int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private Map.Entry<K, V> get(int index) {
        synchronized (entries) {
            return entries.get(index);
        }
    }

    /**
     * Subscribes from the first result.
     *
     * @throws NullPointerException if {@code subscriber} is null (rule 1.9); nothing is registered then
     */
    @Override
    public void subscribe(Flow.Subscriber<? super Map.Entry<K, V>> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber must not be null (rule 1.9)");
        Subscription subscription = new Subscription(subscriber);
        subscriptions.add(subscription);
        deliveries.execute(subscription::drainLoop);
    }

    private final class Subscription implements Flow.Subscription {

        /** Null once cancelled or terminated. Read and written by the drain owner only, after construction. */
        private Flow.Subscriber<? super Map.Entry<K, V>> subscriber;
        private final AtomicLong requested = new AtomicLong();
        /** Drain requests; whoever moves it from 0 starts the drain loop. Starts at 1: subscribe starts it. */
        private final AtomicInteger wip = new AtomicInteger(1);
        /** The first non-positive request, null if none. */
        private final AtomicReference<Long> invalidRequest = new AtomicReference<>();
        private volatile boolean cancelled;
        /** Drain owner only. */
        private int next;
        /** Drain owner only. */
        private boolean terminated;
        /** Drain owner only: whether onSubscribe has been sent. */
        private boolean started;

        Subscription(Flow.Subscriber<? super Map.Entry<K, V>> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                invalidRequest.compareAndSet(null, n);
            }
            else {
                requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            }
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            subscriptions.remove(this);
            drain(); // lets the owner drop the subscriber
        }

        void drain() {
            if (wip.getAndIncrement() == 0) {
                deliveries.execute(this::drainLoop);
            }
        }

        void drainLoop() {
            int missed = 1;
            do {
                deliver();
                missed = wip.addAndGet(-missed);
            }
            while (missed != 0);
        }

        /** Sends what is due: onSubscribe first, then results while there is demand, then the end. */
        private void deliver() {
            if (!started) {
                started = true;
                if (!signal(() -> subscriber.onSubscribe(this), "onSubscribe")) {
                    return;
                }
            }
            while (!terminated) {
                if (cancelled) {
                    terminate();
                    return;
                }
                Long invalid = invalidRequest.get();
                if (invalid != null) {
                    Flow.Subscriber<? super Map.Entry<K, V>> target = subscriber;
                    terminate();
                    signal(target, () -> target.onError(new IllegalArgumentException(
                            "request must be positive (rule 3.9), was " + invalid)), "onError");
                    return;
                }
                Ending end = ending; // read before the size: once ended, the size is final
                int size = size();
                long demand = requested.get();
                if (next < size && demand > 0) {
                    if (demand != Long.MAX_VALUE) { // Long.MAX_VALUE: unbounded (rule 3.17)
                        requested.decrementAndGet();
                    }
                    Map.Entry<K, V> entry = get(next++);
                    signal(() -> subscriber.onNext(entry), "onNext");
                }
                else if (end != null && next == size) {
                    Flow.Subscriber<? super Map.Entry<K, V>> target = subscriber;
                    terminate();
                    signal(target, end.error() == null ? target::onComplete : () -> target.onError(end.error()),
                            end.error() == null ? "onComplete" : "onError");
                }
                else {
                    return;
                }
            }
        }

        /** Ends this subscription: nothing is sent after this but the terminal signal being sent now. */
        private void terminate() {
            terminated = true;
            subscriber = null;
            subscriptions.remove(this);
        }

        private boolean signal(Runnable call, String name) {
            return signal(subscriber, call, name);
        }

        /** Sends one signal; a subscriber that throws is cancelled and logged (rule 2.13). */
        private boolean signal(Flow.Subscriber<?> target, Runnable call, String name) {
            try {
                call.run();
                return true;
            }
            catch (Throwable t) {
                LOG.log(Level.WARNING, "results subscriber " + target.getClass().getName() + " threw from " + name
                        + " (rule 2.13); its subscription is cancelled", t);
                cancelled = true;
                if (!terminated) {
                    terminate();
                }
                return false;
            }
        }
    }
}
