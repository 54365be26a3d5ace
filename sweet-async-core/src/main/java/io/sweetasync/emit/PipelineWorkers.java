package io.sweetasync.emit;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.internal.EndedChildren;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A pipeline's worker tasks (its senders and receivers): started as children of the pipeline task,
 * kept while they run, watched, and stopped together.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Workers are started only from the pipeline task's body, after {@link #open}, so they are its
 * children and its cancellation or deadline stops them all. {@code workers} holds those not ended
 * (and those that ended since the last start: ended ones leave it as the next starts, so that an end
 * takes no lock); it is changed under its own lock, with {@code started}, and read as a snapshot without it
 * (a worker stopping the others on a first error takes no lock either).</li>
 * <li>What a pipeline keeps of its workers is bounded by how many run at once, not by how many it ever
 * started (adaptive receivers retire and start anew for as long as it runs): {@code workers} drops the
 * ended ones as the next starts, and the pipeline task keeps only its newest
 * {@link #ENDED_WORKERS_KEPT} ended workers in its tree as the next starts (their counts stay in the
 * pipeline's own).</li>
 * <li>A worker is never retried (its body handles its errors itself) and takes the pipeline's timeout
 * plus {@link #WORKER_DEADLINE_MARGIN}, never the orchestrator's default (none at all when the pipeline has no
 * timeout of its own): its deadline falls after the pipeline's, and it is the pipeline's deadline that stops
 * it.</li>
 * <li>A worker that ends without completing (say cancelled by id) would leave events unsent or
 * unreceived: the first such end is kept in {@code failure} and signalled once
 * ({@link Pipeline.Signal#WORKER_FAILED}); every other end is signalled as
 * {@link Pipeline.Signal#WORKER_ENDED}. {@code ended} counts ends, raised after {@code failure} is
 * kept, so the coordinator that sees every worker ended ({@link #allEnded}) sees any failure too.</li>
 * <li>A worker's body never runs on the pipeline task's thread: no runtime runs a task on the stack of a
 * body that waits, but a caller-runs executor runtime runs the worker inside its start, where a sender
 * would wait for room only receivers not yet started can make. Such a worker fails at once, naming why,
 * and so fails the pipeline, which otherwise hung.</li>
 * </ul>
 */
final class PipelineWorkers {

    private final PipelineSpec spec;
    private final Consumer<Pipeline.Signal> signals;
    /** Copy-on-write: {@link #cancelAll} reads it without the lock (a worker may call it, and a worker's end takes no lock). */
    private final List<SpawningTask<Void>> workers = new CopyOnWriteArrayList<>();
    /** The error of the first worker that ended without completing. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Workers whose task has ended; each end is signalled ({@code WORKER_ENDED}, or {@code WORKER_FAILED}). */
    private final AtomicInteger ended = new AtomicInteger();
    /** Workers started; guarded by {@code workers}' lock. */
    private int started;
    /** The pipeline task's context; set by {@link #open}, used on the pipeline task's thread only. */
    private TaskContext context;
    /** The thread running the pipeline task's body; set by {@link #open}. */
    private volatile Thread coordinator;
    /** The pipeline task's {@code name#id}, for messages; set by {@link #open}. */
    private volatile String label;

    PipelineWorkers(PipelineSpec spec, Consumer<Pipeline.Signal> signals) {
        this.spec = spec;
        this.signals = signals;
    }

    /** Called first thing in the pipeline task's body, with its context. */
    void open(TaskContext pipeline) {
        context = pipeline;
        EndedChildren.keepAtMost(pipeline, ENDED_WORKERS_KEPT);
        coordinator = Thread.currentThread();
        label = pipeline.name() + "#" + pipeline.id();
    }

    /** The pipeline task's {@code name#id}; {@code null} before its body started. */
    String label() {
        return label;
    }

    /** Starts a worker named {@code pipeline.role}, running {@code body}, and keeps it; its task. */
    SpawningTask<Void> start(String role, Callable<Void> body) {
        // A pipeline without a timeout of its own took the orchestrator's default (or none): its workers take no
        // deadline (the default would fall a moment after the pipeline's and could decide first on another timer
        // thread, failing the pipeline instead of timing it out); the pipeline's deadline stops them.
        SpawningTaskBuilder<Void> builder = spec.applyTo(context.child(Void.class)).retry(RetryPolicy.none())
                .timeout(spec.timeout() != null ? workerTimeout(spec.timeout()) : TaskClock.PRACTICALLY_NEVER);
        SpawningTask<Void> worker = builder.named(spec.name() + "." + role).run(() -> {
            if (Thread.currentThread() == coordinator) {
                throw new IllegalStateException("the " + role + " of pipeline " + label + " was run inside its start,"
                        + " on the pipeline's own thread (a caller-runs executor runtime), where it would wait for"
                        + " workers that cannot start: run the pipeline on a runtime whose tasks run side by side");
            }
            return body.call();
        });
        track(worker);
        return worker;
    }

    /**
     * The pipeline's timeout and a margin: the pipeline's own deadline, which stops every worker, comes
     * first even when the clock runs both deadlines at once on two threads, so a pipeline that runs out
     * of time ends {@code TIMED_OUT}, not failed by a worker that timed out a moment earlier. A practically
     * endless timeout stays as it is.
     */
    static Duration workerTimeout(Duration pipelineTimeout) {
        return TaskClock.isPracticallyNever(pipelineTimeout) ? pipelineTimeout
                : pipelineTimeout.plus(WORKER_DEADLINE_MARGIN);
    }

    /**
     * How many ended workers a pipeline's task keeps in its tree (the newest), beside those running: the tree of a
     * pipeline whose receivers retire and start again without end stays bounded.
     */
    static final int ENDED_WORKERS_KEPT = 16;

    /** How much later than the pipeline's a worker's deadline falls. */
    static final Duration WORKER_DEADLINE_MARGIN = Duration.ofSeconds(1);

    /** The most workers a strategy may start at once (each is a task): a bound on configuration, not on growth. */
    static final int MAX_STARTED_AT_ONCE = 10_000;

    /** {@code workers}, refused naming {@code what} if a pipeline would start more than it can sensibly at once. */
    static int startedAtOnce(int workers, String what) {
        if (workers > MAX_STARTED_AT_ONCE) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_STARTED_AT_ONCE + " (each is a task "
                    + "started with the pipeline; adaptive(MinMax.of(min, max)) grows to a larger max as backlog "
                    + "needs), was " + workers);
        }
        return workers;
    }

    private void track(SpawningTask<Void> worker) {
        synchronized (workers) {
            workers.removeIf(SpawningTask::isDone); // here, not as each ends: an end takes no lock
            workers.add(worker);
            started++;
        }
        worker.toCompletableFuture().whenComplete((ignored, error) -> {
            boolean first = error != null && failure.compareAndSet(null, error);
            ended.incrementAndGet(); // after the failure is kept: whoever sees every worker ended sees it too
            signals.accept(first ? Pipeline.Signal.WORKER_FAILED : Pipeline.Signal.WORKER_ENDED);
        });
    }

    /**
     * Whether the worker (or other task) whose body runs on this thread has been asked to stop: cancelled,
     * timed out, or its pipeline stopped. An {@link InterruptedException} is the worker being stopped only
     * then; one that user code throws while nothing stops it is that code's error like any other. The
     * engine records a stop request before it interrupts the body, so a worker interrupted to stop sees it.
     */
    static boolean isStopping() {
        return isStopping(true);
    }

    /**
     * {@link #isStopping()} with the answer for a thread that runs no task: {@code true} for a worker's code
     * (a pipeline's senders and receivers run in tasks, so no task means it is gone), {@code false} for a
     * source its caller may run directly, with an emitter of its own, where nothing stops it.
     */
    static boolean isStopping(boolean outsideATask) {
        return TaskContext.current().map(TaskContext::isCancellationRequested).orElse(outsideATask);
    }

    /**
     * Clears an interrupt flag that user code running on this thread (a chunked source, a synchronous publisher) left
     * set while nothing stops the pipeline, and says whether it did, so that the caller can set it again once the
     * elements that code delivered are emitted. A stop's interrupt is left set: the flag is cleared before the stop
     * is looked at, and the engine records a stop before it interrupts, so a stop is never mistaken for a leftover.
     */
    static boolean clearLeftoverInterrupt() {
        if (!Thread.interrupted()) {
            return false;
        }
        if (isStopping(false)) {
            Thread.currentThread().interrupt(); // a stop's: it stops the source
            return false;
        }
        return true;
    }

    /** Whether every worker started so far has ended (its task is terminal). */
    boolean allEnded() {
        synchronized (workers) {
            return ended.get() == started;
        }
    }

    /** Requests every worker's stop. */
    void cancelAll() {
        for (SpawningTask<Void> worker : snapshot()) {
            worker.cancel();
        }
    }

    /** Whether a worker has ended without completing. */
    boolean anyFailed() {
        return failure.get() != null;
    }

    /** Cancels the other workers; the exception the pipeline fails with, naming the failed worker's error. */
    IllegalStateException failed() {
        cancelAll();
        Throwable error = failure.get();
        return new IllegalStateException("a worker of pipeline " + label
                + " stopped before its work was done, so events would be lost: " + error.getMessage(), error);
    }

    private List<SpawningTask<Void>> snapshot() {
        return List.copyOf(workers);
    }
}
