package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The system's time, and a scheduler that refuses every deadline and retry with the given exception. */
public final class RefusingClock implements TaskClock {

    private final Supplier<? extends Throwable> refusal;
    /** How many times something was to be scheduled. */
    public final AtomicInteger calls = new AtomicInteger();

    /** {@code refusal} makes a {@link RuntimeException} or an {@link Error}. */
    public RefusingClock(Supplier<? extends Throwable> refusal) {
        this.refusal = refusal;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable action) {
        calls.incrementAndGet();
        Throwable refused = refusal.get();
        if (refused instanceof Error error) {
            throw error;
        }
        throw (RuntimeException) refused;
    }
}
