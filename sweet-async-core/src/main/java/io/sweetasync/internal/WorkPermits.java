package io.sweetasync.internal;

import io.sweetasync.limit.ConcurrencyLimiter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not API. The group permit that the work running on a thread holds besides its task's own: a pipeline's
 * receive ({@code io.sweetasync.emit}) takes a permit of the pipeline's group for each event, a permit its
 * worker task does not hold. {@code TaskRuntime.managedBlock} ({@code io.sweetasync}) lends it for a wait, as
 * it lends the task's, so that a receiver may wait for a task of its own group (SPEC 1.7).
 *
 * <p>Invariants: an entry is written and removed only by its own thread ({@link #hold}, then {@link #restore}
 * in a {@code finally}), so only that thread's waits see it; work nested on the thread holds its own permit
 * in place of the enclosing work's until it returns, and only that one is lent. Holding a permit here neither
 * takes nor releases it: it stays its holder's to release, exactly once. A map rather than a thread-local,
 * whose first read would build a thread-local map on every virtual thread that waits.
 */
public final class WorkPermits {

    private static final ConcurrentHashMap<Thread, ConcurrencyLimiter.Permit> HELD = new ConcurrentHashMap<>();

    private WorkPermits() {
    }

    /**
     * The work on the current thread holds {@code permit} until {@link #restore}; returns the permit held
     * before (work nested on the thread, as a caller-runs executor nests it), or null, for {@code restore}.
     */
    public static ConcurrencyLimiter.Permit hold(ConcurrencyLimiter.Permit permit) {
        return HELD.put(Thread.currentThread(), permit);
    }

    /** The work on the current thread holds {@code previous} again, what {@link #hold} returned. */
    public static void restore(ConcurrencyLimiter.Permit previous) {
        if (previous == null) {
            HELD.remove(Thread.currentThread());
        }
        else {
            HELD.put(Thread.currentThread(), previous);
        }
    }

    /** The permit the work on the current thread holds besides its task's, or null. */
    public static ConcurrencyLimiter.Permit held() {
        return HELD.get(Thread.currentThread());
    }
}
