package io.sweetasync.emit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Test probe: a subscriber that records every breach of the Flow rules a publisher commits against it
 * (a signal before or during {@code onSubscribe}, two signals at once, anything after a terminal
 * signal, more {@code onNext} than requested), and what it received.
 */
class StrictSubscriber<T> implements Flow.Subscriber<T> {

    private final long initialRequest;
    private final Consumer<Flow.Subscription> onSubscribe;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<T> items = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger subscribes = new AtomicInteger();
    private final AtomicInteger terminals = new AtomicInteger();
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Flow.Subscription subscription;
    private volatile boolean subscribing;

    /** Requests {@code initialRequest} in {@code onSubscribe} (none if 0), after running {@code onSubscribe}. */
    StrictSubscriber(long initialRequest, Consumer<Flow.Subscription> onSubscribe) {
        this.initialRequest = initialRequest;
        this.onSubscribe = onSubscribe;
    }

    StrictSubscriber(long initialRequest) {
        this(initialRequest, subscription -> { });
    }

    private void enter(String signal) {
        if (inside.getAndIncrement() != 0) {
            violations.add(signal + " while another signal was being delivered");
        }
        if (terminals.get() > 0) {
            violations.add(signal + " after a terminal signal");
        }
        if (!"onSubscribe".equals(signal) && (subscribes.get() == 0 || subscribing)) {
            violations.add(signal + (subscribing ? " during onSubscribe" : " before onSubscribe"));
        }
    }

    private void leave() {
        inside.decrementAndGet();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter("onSubscribe");
        if (subscribes.incrementAndGet() > 1) {
            violations.add("onSubscribe more than once");
        }
        subscription = s;
        subscribing = true;
        try {
            onSubscribe.accept(s);
        }
        finally {
            subscribing = false;
            leave();
        }
        if (initialRequest > 0) {
            request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        enter("onNext");
        try {
            if (outstanding.getAndDecrement() <= 0) {
                violations.add("onNext beyond demand: " + item);
            }
            items.add(item);
            whileReceiving(item);
        }
        finally {
            leave();
        }
    }

    /** Runs inside {@code onNext}, after the item was recorded: a hook for tests. */
    protected void whileReceiving(T item) {
    }

    @Override
    public void onError(Throwable t) {
        enter("onError");
        try {
            error.set(t);
            terminals.incrementAndGet();
        }
        finally {
            leave();
        }
        terminated.countDown();
    }

    @Override
    public void onComplete() {
        enter("onComplete");
        try {
            terminals.incrementAndGet();
        }
        finally {
            leave();
        }
        terminated.countDown();
    }

    void request(long n) {
        if (n > 0) {
            outstanding.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        }
        subscription.request(n);
    }

    void cancel() {
        subscription.cancel();
    }

    /** Waits (up to {@code ceiling}) for a terminal signal; whether one came. */
    boolean awaitTerminal(Duration ceiling) throws InterruptedException {
        return terminated.await(ceiling.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<String> violations() {
        return violations;
    }

    /** What it received so far, a copy. */
    List<T> items() {
        synchronized (items) {
            return new ArrayList<>(items);
        }
    }

    /** How many items it received so far. */
    int count() {
        return items.size();
    }

    /** The error signalled, null if none (yet). */
    Throwable error() {
        return error.get();
    }

    /** How many terminal signals arrived. */
    int terminals() {
        return terminals.get();
    }

    /** Whether it completed (exactly one terminal, and no error). */
    boolean completed() {
        return terminals.get() == 1 && error.get() == null;
    }
}
