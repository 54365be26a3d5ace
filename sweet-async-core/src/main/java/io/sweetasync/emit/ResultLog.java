package io.sweetasync.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collected results in collection order, published to any number of {@link Flow.Subscriber}s, each
 * at its own pace (it gets only what it requested) and from the first result, whenever it subscribed.
 * The log is append-only; {@link #finish()} or {@link #fail} ends every subscription after it has
 * seen everything.
 */
final class ResultLog<K, V> implements Flow.Publisher<Map.Entry<K, V>> {

    private final List<Map.Entry<K, V>> entries = new ArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean done;
    private volatile Throwable failure;

    void add(Map.Entry<K, V> entry) {
        synchronized (entries) {
            entries.add(entry);
        }
        subscriptions.forEach(Subscription::drain);
    }

    void finish() {
        done = true;
        subscriptions.forEach(Subscription::drain);
    }

    void fail(Throwable error) {
        failure = error;
        finish();
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

    @Override
    public void subscribe(Flow.Subscriber<? super Map.Entry<K, V>> subscriber) {
        Subscription subscription = new Subscription(subscriber);
        subscriptions.add(subscription);
        subscriber.onSubscribe(subscription);
        subscription.drain();
    }

    private final class Subscription implements Flow.Subscription {

        private final Flow.Subscriber<? super Map.Entry<K, V>> subscriber;
        private final AtomicLong requested = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        /** Only touched inside drain, which runs on one thread at a time. */
        private int next;
        private volatile boolean cancelled;
        private boolean terminated;

        Subscription(Flow.Subscriber<? super Map.Entry<K, V>> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request must be positive (rule 3.9), was " + n));
                return;
            }
            requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            subscriptions.remove(this);
        }

        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                while (!cancelled && requested.get() > 0 && next < size()) {
                    subscriber.onNext(get(next++));
                    requested.decrementAndGet();
                }
                if (!cancelled && !terminated && done && next == size()) {
                    terminated = true;
                    subscriptions.remove(this);
                    Throwable error = failure;
                    if (error != null) {
                        subscriber.onError(error);
                    }
                    else {
                        subscriber.onComplete();
                    }
                }
            }
            while (wip.decrementAndGet() != 0);
        }
    }
}
