package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link TaskClock}: system time and one daemon scheduler thread, closed with its orchestrator.
 * The scheduler thread only hands each due action to a new virtual thread, so a slow action (a
 * fallback or listener run when a queued task times out) never delays another task's deadline.
 */
final class SystemClock implements TaskClock, AutoCloseable {

    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);

    private final ScheduledThreadPoolExecutor scheduler;
    /** Threads the scheduler made, joined on close (awaitTermination returns before they exit). */
    private final java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    SystemClock(String threadName) {
        scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
        long nanos = delay.isNegative() ? 0 : delay.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : delay.toNanos();
        ScheduledFuture<?> future = scheduler.schedule(() -> {
            Thread.ofVirtual().name("sweet-async-deadline").start(action);
        }, nanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                for (Thread thread : threads) {
                    thread.join(java.time.Duration.ofSeconds(10));
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
