package io.sweetasync;

import java.util.concurrent.atomic.AtomicInteger;

/** Test probe: how many callers are inside {@link #during} at once, and the most there ever were. */
public final class Concurrency {

    /** A piece of work that may throw. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    /** Runs {@code work}, counted as one concurrent caller while it runs. */
    public void during(Work work) throws Exception {
        peak.accumulateAndGet(now.incrementAndGet(), Math::max);
        try {
            work.run();
        }
        finally {
            now.decrementAndGet();
        }
    }

    /** The most concurrent callers seen. */
    public int peak() {
        return peak.get();
    }

    public void reset() {
        peak.set(0);
    }
}
