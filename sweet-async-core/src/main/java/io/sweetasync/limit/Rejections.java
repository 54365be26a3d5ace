package io.sweetasync.limit;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter.Rejection;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The rejections of a {@link ConcurrencyLimiter}: counted by reason, each worded for people, naming the
 * group, the limit in force and what happened.
 *
 * <p>Invariants: every {@link Rejection} made here is counted exactly once, as it is made (each is made
 * for one request, which is then rejected), but for those of requests made uncounted
 * ({@link ConcurrencyLimiter#acquireUncounted}) for a full queue or a wait too long, counted never; the counts only grow, and are read without a lock or an
 * allocation. The messages are made under the limiter's lock, so the limit and queue figures they quote
 * are those of the moment of the rejection.
 */
final class Rejections {

    private final String group;
    private final LimiterConfig config;
    private final LimitInForce limit;
    /** Rejections so far, by {@link RejectionReason#ordinal()}. */
    private final AtomicLongArray counts = new AtomicLongArray(RejectionReason.values().length);

    Rejections(String group, LimiterConfig config, LimitInForce limit) {
        this.group = group;
        this.config = config;
        this.limit = limit;
    }

    /**
     * Call under lock: no permit free, and the request cannot wait. {@code counted}: false for a request whose caller
     * tries it again later ({@link ConcurrencyLimiter#acquireUncounted}), whose rejection is made but not counted.
     */
    Rejection queueFull(boolean counted) {
        return count(counted, RejectionReason.QUEUE_FULL, "group '" + group + "' is at its limit of " + limit.describe()
                + " and " + (config.queueCapacity() == 0 || config.maxWait().isZero()
                        ? "does not queue" : "its queue is full (capacity " + config.queueCapacity() + ")"));
    }

    /** Call under lock: a waiter of priority {@code displaced} gave its place in the full queue to one of {@code by}. */
    Rejection displaced(boolean counted, TaskPriority displaced, TaskPriority by) {
        return count(counted, RejectionReason.QUEUE_FULL, "group '" + group + "' is at its limit of " + limit.describe()
                + " and its queue is full (capacity " + config.queueCapacity() + "): this " + displaced
                + " request gave its place to a " + by + " one");
    }

    /** Call under lock: a request waited {@code maxWait}; {@code queued} still wait. */
    Rejection waitTimeout(boolean counted, int queued) {
        return count(counted, RejectionReason.WAIT_TIMEOUT, "waited longer than " + config.maxWait()
                + " for a permit of group '" + group + "' (limit " + limit.describe() + ", " + queued
                + " still queued)");
    }

    /**
     * Call under lock: the clock refused to time a wait ({@code failure}), as a shut-down one does. Counted for every
     * request, uncounted ones too: a request refused for a shutdown is refused for good (its task ends rejected).
     */
    Rejection cannotTime(Throwable failure) {
        return count(true, RejectionReason.SHUTDOWN, "group '" + group + "' cannot time a wait for a permit: " + failure);
    }

    private Rejection count(boolean counted, RejectionReason reason, String message) {
        if (counted) {
            counts.incrementAndGet(reason.ordinal());
        }
        return new Rejection(reason, message);
    }

    long count(RejectionReason reason) {
        return counts.get(reason.ordinal());
    }

    long total() {
        long rejected = 0;
        for (int i = 0; i < counts.length(); i++) {
            rejected += counts.get(i);
        }
        return rejected;
    }
}
