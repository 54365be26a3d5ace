package io.sweetasync.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * The time source of an orchestrator: timestamps, elapsed times, and the scheduling of deadlines and
 * retry delays. The default is the system clock with one daemon scheduler thread owned by the
 * orchestrator. Tests inject a manual clock to check delays without waiting for them.
 *
 * <p>Implementations are thread-safe. Scheduled actions are short (they submit or cancel a task) and
 * may run on any thread; an action that is cancelled before it runs never runs.
 *
 * <pre>{@code
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(myManualClock).build();
 * }</pre>
 */
public interface TaskClock {

    /** The current instant, for timestamps in snapshots. */
    Instant now();

    /** A monotonic time in nanoseconds, for elapsed times (as {@link System#nanoTime()}). */
    long nanoTime();

    /**
     * Runs {@code action} once, {@code delay} from now. The engine never passes a delay for which
     * {@link #isPracticallyNever} holds.
     *
     * @return a handle that prevents the action from running if it has not started yet
     */
    Scheduled schedule(Duration delay, Runnable action);

    /**
     * Whether the engine treats {@code delay} as "practically never" (100 years or more, up to
     * {@code Duration.ofSeconds(Long.MAX_VALUE)}): such timeouts, retry delays and waits are honoured by
     * scheduling nothing, so no implementation is asked for a delay it cannot represent.
     */
    static boolean isPracticallyNever(Duration delay) {
        return delay.compareTo(PRACTICALLY_NEVER) >= 0;
    }

    /** The shortest delay that {@link #isPracticallyNever} accepts: 100 years. */
    Duration PRACTICALLY_NEVER = Duration.ofDays(36_525);

    /** A scheduled action. */
    @FunctionalInterface
    interface Scheduled {
        /** Prevents the action from running if it has not started; no effect otherwise. */
        void cancel();
    }
}
