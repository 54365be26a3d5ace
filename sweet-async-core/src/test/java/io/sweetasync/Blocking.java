package io.sweetasync;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Task bodies for tests. */
final class Blocking {

    private Blocking() {
    }

    /** A body that counts {@code started} down, then blocks until its thread is interrupted. */
    static <T> Callable<T> untilInterrupted(CountDownLatch started) {
        return () -> {
            started.countDown();
            Thread.sleep(Long.MAX_VALUE);
            throw new AssertionError("unreachable");
        };
    }

    /** A body that blocks until its thread is interrupted. */
    static <T> Callable<T> untilInterrupted() {
        return untilInterrupted(new CountDownLatch(1));
    }
}
