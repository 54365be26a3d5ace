package io.sweetasync.emit.trial;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A subscriber that requests everything and counts what it gets and how many terminal signals. */
final class TrialRecorder<T> implements Flow.Subscriber<T> {

    final List<T> items = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger terminals = new AtomicInteger();
    final AtomicInteger afterTerminal = new AtomicInteger();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T item) {
        if (terminals.get() > 0) {
            afterTerminal.incrementAndGet();
        }
        items.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        error.set(throwable);
        terminals.incrementAndGet();
        done.countDown();
    }

    @Override
    public void onComplete() {
        terminals.incrementAndGet();
        done.countDown();
    }

    boolean await() throws InterruptedException {
        return done.await(30, TimeUnit.SECONDS);
    }
}
