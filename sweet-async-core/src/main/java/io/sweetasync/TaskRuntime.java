package io.sweetasync;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * A named place where task bodies run. Every orchestrator has three built in, and you may register
 * more with {@link TaskOrchestrator.Builder#runtime(TaskRuntime)}:
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
 * When a body running on a {@code PLATFORM} or {@code SINGLE} runtime waits for another task
 * ({@code join()}, {@code result()}, {@code get()}, {@code joinChildren()}), its thread does not sit
 * idle: it first runs the awaited task itself if that is still queued on the same runtime, then any
 * other queued task of that runtime, and only parks when the queue is empty. So a parent on the single
 * thread that joins a child on the same runtime runs the child itself, and a full pool whose tasks all
 * wait for queued children drains them. (A task run this way is nested on the waiter's stack; a
 * cancellation of the waiter reaches the waiter once the nested task returns, unless the nested task is
 * in the waiter's subtree, in which case it is cancelled too.) A parent whose body has returned never
 * holds a thread while its children finish. An {@code EXECUTOR} runtime cannot help this way: waiting
 * there blocks a thread of your executor, so do not join tasks of a bounded executor from inside it.
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
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static TaskRuntime platform(String name, int threads) {
        return new PooledRuntime(name, Kind.PLATFORM, threads);
    }

    /** One daemon platform thread running tasks one at a time in priority order. */
    public static TaskRuntime single(String name) {
        return new PooledRuntime(name, Kind.SINGLE, 1);
    }

    /**
     * Runs attempts on {@code executor}. The orchestrator does not shut the executor down; a
     * {@link java.util.concurrent.RejectedExecutionException} fails the task with
     * {@link TaskRejectedException}.
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

    /** Starts {@code node}'s next attempt on this runtime; throws RejectedExecutionException if it cannot. */
    abstract void execute(TaskNode<?> node);

    /** Waits on the current thread (a thread of this runtime or not) until {@code node} is terminal. */
    void awaitDone(TaskNode<?> node) throws InterruptedException {
        node.awaitOutcomeBlocking();
    }

    /** Stops the runtime's threads and waits for them up to {@code timeoutMillis}; returns whether they all ended. */
    abstract boolean close(long timeoutMillis) throws InterruptedException;

    @Override
    public String toString() {
        return name + " (" + kind() + ", parallelism " + (parallelism() == Integer.MAX_VALUE ? "unbounded" : parallelism())
                + ")";
    }
}
