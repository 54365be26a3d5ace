package io.sweetasync;

import io.sweetasync.internal.WorkPermits;
import io.sweetasync.limit.ConcurrencyLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.regex.Pattern;

/**
 * A named place where task bodies run. Every orchestrator has three built in, and you may register
 * more with {@link TaskOrchestrator.Builder#runtime(TaskRuntime) TaskOrchestrator.Builder.runtime(TaskRuntime)}:
 * <ul>
 * <li>{@code "virtual"} ({@link Kind#VIRTUAL}, the default): a new virtual thread per attempt. Blocking is
 * cheap; there is no queue, so priority does not matter here (use a concurrency group to bound it).</li>
 * <li>{@code "platform"} ({@link Kind#PLATFORM}): a fixed pool of platform threads, as many as cores by
 * default, for CPU-bound work. Queued tasks start in priority order, then FIFO.</li>
 * <li>{@code "single"} ({@link Kind#SINGLE}): one platform thread that runs tasks one at a time in
 * priority order (the analogue of Tokio's current-thread runtime).</li>
 * </ul>
 * Or wrap any {@link Executor} with {@link #executor(String, Executor)} ({@link Kind#EXECUTOR}).
 *
 * <h2>Waiting inside a task does not deadlock a pool</h2>
 * A {@code PLATFORM} or {@code SINGLE} runtime has a number of <em>slots</em> ({@link #parallelism()}):
 * at most that many bodies run at once. When a body waits for another task ({@code join()},
 * {@code result()}, {@code get()}, {@code get(timeout)}, {@code joinChildren()}, a pipeline's final
 * event, the future of {@code toCompletableFuture()} and the futures derived from it) it gives its slot back for the wait, and the runtime starts a spare thread if needed so that
 * queued tasks keep starting (compensation, as {@link ForkJoinPool#managedBlock} does). When the wait
 * ends the body continues at once, even if that briefly makes one body more than the slots allow
 * (a spare that took its slot finishes its current task first). So a task may wait for any other
 * task — its children, a sibling, another root, a task on another runtime — and as long as the waits
 * form no cycle everything finishes, whatever the timing. A waiter never runs other tasks on its own
 * stack, so its timeout and priority depend only on what it waits for.
 *
 * <p>Spare threads are platform threads up to {@code parallelism + maxSpareThreads} (256 by default),
 * virtual threads beyond; spares idle for 10 seconds retire, a {@code SINGLE} runtime's as soon as the wait they
 * stood in for has ended and their current task returned (its tasks then run on its own thread again, so state
 * confined to that thread stays whole). {@link #snapshot()} shows them. Other
 * blocking calls (a latch, a queue, a socket) are invisible to the runtime: wrap them in
 * {@link #managedBlock} when a body on these runtimes waits for work that may need its slot. An
 * {@code EXECUTOR} runtime cannot compensate: waiting there blocks a thread of your executor, so do not
 * join tasks of a bounded executor from inside it.
 *
 * <h2>What a body leaves on its thread</h2>
 * Threads are reused: a {@code PLATFORM} or {@code SINGLE} runtime's workers, your executor's threads (or, for a
 * caller-runs executor, the enclosing body's or caller's thread). A body may rename its thread, set its context class
 * loader or change its priority; when the body ends (returns or throws, an {@link Error} too) its thread gets back
 * the name, context class loader and priority it had before the body began, before anything after the body (the
 * task's completion callbacks, listeners, fallback, the next task) runs there. The same holds for the user code the
 * engine runs outside a body, on whatever thread it runs (a listener, a fallback, a completion callback, a
 * {@code ContextPropagator}'s capture and {@code finished}): what it changes of the three is given
 * back when it returns or throws, so it reaches neither the next task nor a body running on that thread (to give a
 * body thread state, use a {@code ContextPropagator}'s {@code restore}: it runs inside the body's bracket). Likewise a
 * body never starts with an interrupt that is no stop of its task, and an interrupt it leaves does not reach the next
 * one. Other thread state (thread-locals, an uncaught-exception handler) is the code's own to clean up. A
 * {@code VIRTUAL} body has a new thread of its own; its changes are given back the same way and reach no other task.
 *
 * <pre>{@code
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder()
 *         .runtime(TaskRuntime.platform("cpu", 4))
 *         .runtime(TaskRuntime.executor("legacy", legacyPool))
 *         .build();
 * orchestrator.to(Long.class).runtime("cpu").run(() -> checksum(file));
 * }</pre>
 */
public abstract sealed class TaskRuntime permits VirtualRuntime, PooledRuntime, ExecutorRuntime {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** What kind of threads a runtime runs on. */
    public enum Kind {
        /** A virtual thread per attempt. */
        VIRTUAL,
        /** A fixed pool of platform threads with a priority queue. */
        PLATFORM,
        /** One platform thread with a priority queue. */
        SINGLE,
        /** A user-supplied {@link Executor}. */
        EXECUTOR
    }

    private final String name;

    TaskRuntime(String name) {
        Objects.requireNonNull(name, "runtime name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("runtime name '" + name
                    + "' is not valid: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)");
        }
        this.name = name;
    }

    /** A runtime that starts a virtual thread per attempt. */
    public static TaskRuntime virtual(String name) {
        return new VirtualRuntime(name);
    }

    /**
     * A fixed pool of {@code threads} daemon platform threads; queued tasks start in priority order.
     *
     * @throws IllegalArgumentException if {@code threads < 1} or {@code threads > 32767} (all start at first use)
     */
    public static TaskRuntime platform(String name, int threads) {
        return platform(name, threads, DEFAULT_MAX_SPARES);
    }

    /**
     * A fixed pool of {@code threads} slots whose waits are covered by at most {@code maxSpareThreads}
     * extra platform threads (virtual threads beyond that); see the class documentation.
     *
     * @throws IllegalArgumentException if {@code threads < 1}, {@code threads > 32767} or {@code maxSpareThreads < 0}
     */
    public static TaskRuntime platform(String name, int threads, int maxSpareThreads) {
        return new PooledRuntime(name, Kind.PLATFORM, threads, maxSpareThreads);
    }

    /** One slot: tasks run one at a time in priority order (waits are covered as for {@code platform}). */
    public static TaskRuntime single(String name) {
        return new PooledRuntime(name, Kind.SINGLE, 1, DEFAULT_MAX_SPARES);
    }

    /**
     * The most threads a {@code platform} runtime may have (as for {@link ForkJoinPool}): a pool starts all its
     * threads at first use, so a larger size is refused when the runtime is made, naming it.
     */
    public static final int MAX_PLATFORM_THREADS = 32_767;

    /** Platform spare threads a pooled runtime may start to cover waits, unless configured. */
    static final int DEFAULT_MAX_SPARES = 256;

    /**
     * Blocks the current thread in {@code blocker} the way {@link ForkJoinPool#managedBlock} does: on a
     * thread of a {@code PLATFORM} or {@code SINGLE} runtime running a body, the body's slot is handed to
     * another thread for the wait, so that the tasks it waits for can start; elsewhere it simply
     * blocks. A body in a concurrency group also gives its permit back for the wait
     * ({@link ConcurrencyLimiter.Permit#suspend}) and takes it again after, at once, as do the bodies it runs
     * nested in (a caller-runs executor ran it on their thread: they wait as long as it does), and a pipeline's
     * receiver the permit it holds for the event it receives. Use it around waits that the runtime cannot
     * see.
     *
     * <pre>{@code
     * CountDownLatch ready = new CountDownLatch(1);
     * orchestrator.to(Void.class).runtime("single").run(() -> { prepare(); ready.countDown(); return null; });
     * orchestrator.to(Void.class).runtime("single").run(() -> {
     *     TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
     *         public boolean block() throws InterruptedException { ready.await(); return true; }
     *         public boolean isReleasable() { return ready.getCount() == 0; }
     *     });
     *     return null;
     * });
     * }</pre>
     *
     * @throws InterruptedException if interrupted while blocked
     */
    public static void managedBlock(ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
        Objects.requireNonNull(blocker, "blocker");
        Carrier current = Carrier.currentOrNull();
        // A body holding a group permit does not hold it while it waits: the work it waits for may need it.
        // Nor does a pipeline's receive running in it hold its own (WorkPermits).
        boolean lends = current != null && !blocker.isReleasable();
        ConcurrencyLimiter.Permit permit = lends ? heldPermit(current) : null;
        ConcurrencyLimiter.Permit work = lends ? WorkPermits.held() : null;
        // The bodies this one runs nested in (on a caller-runs executor) wait as long as it does: theirs too.
        List<ConcurrencyLimiter.Permit> enclosing = lends ? enclosingPermits(current) : List.of();
        suspend(permit);
        suspend(work);
        for (int i = 0; i < enclosing.size(); i++) { // indexed: forEach on List.of() allocates an iterator per wait
            suspend(enclosing.get(i));
        }
        try {
            if (current instanceof ThreadCarrier carrier && carrier.pool() != null && carrier.holdsSlot) {
                carrier.pool().block(carrier, blocker);
            }
            else {
                ForkJoinPool.managedBlock(blocker);
            }
        }
        finally {
            try {
                for (int i = 0; i < enclosing.size(); i++) {
                    resume(enclosing.get(i));
                }
                resume(work);
            }
            finally {
                resume(permit);
            }
        }
    }

    private static void suspend(ConcurrencyLimiter.Permit permit) {
        if (permit != null) {
            permit.suspend();
        }
    }

    private static void resume(ConcurrencyLimiter.Permit permit) {
        if (permit != null) {
            permit.resume();
        }
    }

    /** The group permits the bodies that the one on {@code carrier} runs nested in hold (none if not nested). */
    private static List<ConcurrencyLimiter.Permit> enclosingPermits(Carrier carrier) {
        List<TaskNode<?>> bodies = carrier.enclosingBodies();
        if (bodies.isEmpty()) {
            return List.of();
        }
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>(bodies.size());
        for (TaskNode<?> body : bodies) {
            ConcurrencyLimiter.Permit permit = body.heldPermit();
            if (permit != null) {
                held.add(permit);
            }
        }
        return held;
    }

    /** The group permit the body on {@code carrier} holds, if any. */
    private static ConcurrencyLimiter.Permit heldPermit(Carrier carrier) {
        TaskNode<?> task = carrier.top();
        return task == null ? null : task.heldPermit();
    }

    /**
     * Runs attempts on {@code executor}. The orchestrator does not shut the executor down; a
     * {@link java.util.concurrent.RejectedExecutionException} fails the task with
     * {@link TaskRejectedException}. An {@link java.util.concurrent.ExecutorService} you shut down ends the
     * tasks it will not run the same way ({@code SHUTDOWN}), also those it drops without throwing: one handed to
     * it once shut down (a {@code CallerRunsPolicy} or Discard policy discards it) ends at once, and one it had
     * queued and never began ({@code shutdownNow()}) ends when it has terminated. An executor that discards
     * tasks while it runs ({@code DiscardPolicy} on a full queue) loses them: give a bounded pool the
     * {@code AbortPolicy}.
     * The executor's threads are its own: a body that runs on one (for a caller-runs executor, the caller's
     * thread) does not see an interrupt the thread had before it, which is no stop of the task, and leaves it set
     * when it returns.
     *
     * <pre>{@code
     * TaskOrchestrator orchestrator = TaskOrchestrator.builder()
     *         .runtime(TaskRuntime.executor("legacy", legacyPool))
     *         .build();
     * orchestrator.to(String.class).runtime("legacy").run(() -> legacyClient.fetch());
     * }</pre>
     */
    public static TaskRuntime executor(String name, Executor executor) {
        return new ExecutorRuntime(name, Objects.requireNonNull(executor, "executor"));
    }

    /** The name tasks use to pick this runtime. */
    public final String name() {
        return name;
    }

    /** The kind of threads. */
    public abstract Kind kind();

    /** How many bodies can run at once ({@code Integer.MAX_VALUE} when unbounded or unknown). */
    public abstract int parallelism();

    /**
     * Starts {@code node}'s next attempt on this runtime; throws RejectedExecutionException if it is closed, and what
     * else failed as it is (a thread that could not start: the task fails with it).
     */
    abstract void execute(TaskNode<?> node);

    /**
     * Whether {@link #execute} only puts the attempt in this runtime's own queue, by priority, never running it on
     * the calling thread: then an attempt's zero-delay retry is handed to it directly, keeping its place by priority,
     * instead of going through the clock's thread (which bounds the stack of a runtime that may run it in place).
     */
    boolean queuesByPriority() {
        return false;
    }

    /** The task of {@code node} ended while its attempt waited in this runtime's own queue; any thread. */
    void withdraw(TaskNode<?> node) {
        // runtimes without a queue of their own have nothing to withdraw
    }

    /** What the runtime is doing now: threads, running bodies, waits, queue. */
    public abstract RuntimeSnapshot snapshot();

    /** Stops the runtime's threads and waits for them up to {@code timeoutMillis}; returns whether they all ended. */
    abstract boolean close(long timeoutMillis) throws InterruptedException;

    @Override
    public String toString() {
        return name + " (" + kind() + ", parallelism " + (parallelism() == Integer.MAX_VALUE ? "unbounded" : parallelism())
                + ")";
    }
}
