package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link TaskClock}: system time and one daemon scheduler thread, closed with its orchestrator.
 * The scheduler thread only hands each due action on, so a slow action (a fallback or listener run when a queued
 * task times out) never delays another task's deadline: to a pool of at most {@link #ACTION_THREADS} daemon
 * platform threads, made as needed and let go after {@link #ACTION_KEEP_ALIVE} idle, or, while every one of them
 * is held by a slow action, to a new virtual thread.
 *
 * <p>Platform threads first, because a virtual thread runs only once the JDK's scheduler gives it a carrier, and
 * virtual bodies that compute without blocking keep every carrier (the scheduler does not preempt them): an action
 * on a virtual thread then waited for one of them to end, and deadlines, retry delays and the forced end after a
 * deadline fired seconds late, or never while such bodies ran on. A pool thread runs each action with its interrupt
 * status cleared before and after, so one action's interrupt never reaches the next.
 */
final class SystemClock implements TaskClock, AutoCloseable {

    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
    /** Platform threads that run due actions at once; more actions at once go to virtual threads. */
    static final int ACTION_THREADS = 8;
    /** How long an idle action thread is kept. */
    static final Duration ACTION_KEEP_ALIVE = Duration.ofSeconds(30);

    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor actions;
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
        ThreadFactory actionThreads = Thread.ofPlatform().name("sweet-async-deadline-", 1).daemon(true).factory();
        actions = new ThreadPoolExecutor(0, ACTION_THREADS, ACTION_KEEP_ALIVE.toNanos(), TimeUnit.NANOSECONDS,
                new SynchronousQueue<>(), actionThreads, (action, pool) -> {
                    if (!pool.isShutdown()) { // every action thread busy: the slow actions hold them, not this one
                        Thread.ofVirtual().name("sweet-async-deadline").start(action);
                    }
                });
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
        ScheduledFuture<?> future = scheduler.schedule(() -> actions.execute(() -> runAction(action)), nanos,
                TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /** Runs a due action with the thread's interrupt status clear before and after it (a pool thread runs many). */
    private static void runAction(Runnable action) {
        Thread.interrupted();
        try {
            action.run();
        }
        catch (RuntimeException | Error ex) { // kept on its thread, as the virtual thread it ran on before did
            Thread thread = Thread.currentThread();
            thread.getUncaughtExceptionHandler().uncaughtException(thread, ex);
        }
        finally {
            Thread.interrupted();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        actions.shutdown(); // actions already running finish; their threads are daemons, not waited for
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
