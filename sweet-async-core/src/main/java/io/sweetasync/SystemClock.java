package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default {@link TaskClock}: system time and one daemon scheduler thread, closed with its orchestrator.
 * The scheduler thread only hands each due action on, so a slow action (a fallback or listener run when a queued
 * task times out) never delays another task's deadline: to a pool of at most {@link #ACTION_THREADS} daemon
 * platform threads, made as needed and let go after {@link #ACTION_KEEP_ALIVE} idle, in the order they fell due;
 * an action that no pool thread has taken {@link #ACTION_WAIT} after it fell due (every one of them held by a
 * slow action) runs on a new platform thread of its own instead (up to {@link #MAX_SPARE_THREADS} at a time,
 * {@link #startSpare}).
 *
 * <p>Platform threads first, because a virtual thread runs only once the JDK's scheduler gives it a carrier, and
 * virtual bodies that compute without blocking keep every carrier (the scheduler does not preempt them): an action
 * on a virtual thread then waited for one of them to end, and deadlines, retry delays and the forced end after a
 * deadline fired seconds late, or never while such bodies ran on. Queued for a pool thread rather than given a
 * thread of their own as soon as all are busy: more actions due at once than there are pool threads (tasks started
 * together with one timeout) are short, and would have made a thread each. A pool thread runs each action with its interrupt status cleared before and after, so one
 * action's interrupt never reaches the next.
 */
final class SystemClock implements TaskClock, AutoCloseable {

    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
    /** Platform threads that run due actions at once; more actions wait for one ({@link #ACTION_WAIT} at most). */
    static final int ACTION_THREADS = 8;
    /** How long an idle action thread is kept. */
    static final Duration ACTION_KEEP_ALIVE = Duration.ofSeconds(30);
    /** How long a due action waits for a pool thread before it runs on a platform thread of its own. */
    static final Duration ACTION_WAIT = Duration.ofMillis(500);

    /** Platform threads an action not taken {@link #ACTION_WAIT} after it fell due may have at a time. */
    static final int MAX_SPARE_THREADS = 256;

    private final ScheduledThreadPoolExecutor scheduler;
    /** Spare platform threads running now ({@link #startSpare}). */
    private final AtomicInteger spares = new AtomicInteger();
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
        actions = new ThreadPoolExecutor(ACTION_THREADS, ACTION_THREADS, ACTION_KEEP_ALIVE.toNanos(),
                TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(), actionThreads);
        actions.allowCoreThreadTimeOut(true);
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
        ScheduledFuture<?> future = scheduler.schedule(() -> handOn(action), nanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /**
     * On the scheduler's thread: queues a due action for the pool, and if it waits there (every pool thread
     * busy), has it run on a platform thread of its own should no pool thread have taken it {@link #ACTION_WAIT} later.
     */
    private void handOn(Runnable action) {
        Runnable handed = () -> runAction(action); // its own identity: the queue removes this hand-off only
        try {
            actions.execute(handed);
        }
        catch (RejectedExecutionException ex) {
            return; // closed
        }
        // FIFO: while this action waits, the queue is not empty
        if (!actions.getQueue().isEmpty()) {
            try {
                scheduler.schedule(() -> {
                    if (actions.remove(handed)) { // not taken: the pool threads are held by slow actions
                        startSpare(handed);
                    }
                }, ACTION_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException ex) {
                // closed meanwhile: a pool thread runs it once one is free
            }
        }
    }

    /**
     * Runs an action no pool thread took in time on a platform thread of its own, which ends with it: a virtual one
     * ran only once the JDK's scheduler gave it a carrier, so while eight slow actions (blocking fallbacks or
     * {@code onFinished} listeners of queued tasks that timed out) held the pool, other tasks' deadlines did not
     * fire as long as virtual bodies computed on every carrier. At most {@link #MAX_SPARE_THREADS} at a time, as a
     * runtime's spares (many slow actions due at once made as many threads); beyond them, or if the system cannot
     * start one, on a virtual thread: late rather than lost.
     */
    private void startSpare(Runnable handed) {
        if (spares.incrementAndGet() <= MAX_SPARE_THREADS) {
            try {
                Thread.ofPlatform().name("sweet-async-deadline-spare").daemon(true).start(() -> {
                    try {
                        handed.run();
                    }
                    finally {
                        spares.decrementAndGet();
                    }
                });
                return;
            }
            catch (OutOfMemoryError ex) {
                // "unable to create native thread"
            }
        }
        spares.decrementAndGet();
        Thread.ofVirtual().name("sweet-async-deadline").start(handed);
    }

    /** Runs a due action with the thread's interrupt status clear before and after it (a pool thread runs many). */
    private static void runAction(Runnable action) {
        Thread.interrupted();
        try {
            action.run();
        }
        catch (Throwable ex) { // kept on its thread, as the virtual thread it ran on before did (a checked one too)
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
        actions.shutdown(); // actions already running or queued finish; their threads are daemons, not waited for
        try {
            if (scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                for (Thread thread : threads) {
                    // A thread the factory made but the executor never started (it saw the shutdown as it added
                    // the worker) stays NEW: join(Duration) throws IllegalThreadStateException for it.
                    if (thread.getState() != Thread.State.NEW) {
                        thread.join(java.time.Duration.ofSeconds(10));
                    }
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
