package io.sweetasync.hostile;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * The latches a test's bodies wait on, all released after the test ({@link #releaseAll}), so that no body a
 * failed or timed-out test left waiting outlives it blocked. Public for the tests of other packages
 * ({@code io.sweetasync.spec}).
 */
public final class Latches {

    private final List<CountDownLatch> made = new CopyOnWriteArrayList<>();

    /** A new latch of count 1, released by {@link #releaseAll} if the test does not. */
    public CountDownLatch next() {
        CountDownLatch latch = new CountDownLatch(1);
        made.add(latch);
        return latch;
    }

    /** Waits for {@code latch}, dropping every interrupt on the floor (a body that ignores its stop, careless code). */
    public static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            }
            catch (InterruptedException ignored) {
                // ignored, as such code does
            }
        }
    }

    public void releaseAll() {
        made.forEach(CountDownLatch::countDown);
    }
}
