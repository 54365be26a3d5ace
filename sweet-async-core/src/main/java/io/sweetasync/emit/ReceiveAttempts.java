package io.sweetasync.emit;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.internal.Timeouts;
import io.sweetasync.internal.WorkPermits;
import io.sweetasync.limit.ConcurrencyLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Receiving one event: each attempt under a permit of the pipeline's group (when it has one), retried
 * as the error strategy's retry policy says; the error of the last attempt is recorded against the
 * event.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>An event's collector is made once, for all its attempts: what an attempt collected stays
 * collected. It is closed when they are over, so a receiver that kept it cannot add to a run that no
 * longer counts its results.</li>
 * <li>Permits are asked for with the pipeline's priority, set on its builder or inherited by its tasks.</li>
 * <li>A permit is released after every attempt that got one, as a task's attempt releases its own: a sample
 * when the receive returned, a drop when it failed because something timed out ({@link Timeouts}), no sample
 * when it failed otherwise (a failure that comes fast would read as a healthy downstream and raise the limit)
 * or was interrupted by the worker's stop. An interrupted wait for a permit leaks nothing: the
 * request is cancelled, or the permit ignored when it is granted.</li>
 * <li>While the receiver runs, its permit is the thread's {@link WorkPermits work permit}, so every managed
 * wait in it (a {@code join()} of a task, any {@code TaskRuntime.managedBlock}) lends it, uncounted in the
 * group, and takes it back as the wait ends, before the receiver goes on: a release never finds it lent,
 * and it is released once, here. Its latency sample starts again as it is taken back: it covers the
 * receive after its last wait, not the time lent, as for a task's body.</li>
 * <li>An error thrown while the worker is being stopped answers that stop: it is kept, but it is no cause
 * ({@link PipelineResults#recordThrown}), neither the first error nor a reason to stop the other workers.</li>
 * <li>Under {@link ErrorStrategy#stopOnFirst()}, the worker that records an error requests every worker's stop
 * at once, and no attempt starts once a first error is recorded (a volatile read per attempt, for a worker whose
 * stop is still on its way): the workers end as stopping ones do, and the coordinator, which reads the first error
 * before a worker's failure, fails the pipeline with that error.</li>
 * <li>No attempt starts once the worker is stopping (its task's cancellation requested, read from the
 * worker's context the caller passes, a volatile read per attempt): not an event
 * it took before the stop, nor a retry, whatever the receiver did with the stop's interrupt (answered it,
 * swallowed it, or restored the flag after an uninterruptible wait); {@link InterruptedException} is thrown
 * instead, which ends the worker.</li>
 * <li>An interrupt that stops the worker ends the attempts at once
 * and is thrown; every other error is the attempt's, for the retry policy to judge, also an
 * {@link InterruptedException} the receiver throws while nothing stops the worker. An interrupt flag a
 * receiver leaves set while nothing stops the worker is cleared after its attempt: it never reaches the
 * next attempt, event or take.</li>
 * </ul>
 */
final class ReceiveAttempts<E, K, V> {

    private final PipelineSpec spec;
    private final TaskOrchestrator orchestrator;
    private final Receiver<E, K, V> receiver;
    private final PipelineResults<K, V> results;
    private final PipelineWorkers workers;
    /**
     * The priority permits are asked for with: the pipeline's own, or else the one its tasks inherited from
     * the task that started it, looked up once from the first receiver worker that needs it (every worker has
     * the pipeline's). Racy but idempotent: workers that look it up at once find the same.
     */
    private volatile TaskPriority priority;

    ReceiveAttempts(PipelineSpec spec, TaskOrchestrator orchestrator, Receiver<E, K, V> receiver,
            PipelineResults<K, V> results, PipelineWorkers workers) {
        this.spec = spec;
        this.orchestrator = orchestrator;
        this.receiver = receiver;
        this.results = results;
        this.workers = workers;
    }

    /**
     * Receives one event on the receiver worker {@code worker}, retrying as the error strategy says; an
     * error left over is recorded.
     */
    void receive(Event<E> event, TaskContext worker) throws InterruptedException {
        PipelineResults<K, V>.Collector collector = results.collectorFor(event.sequence(), workers.label());
        try {
            attempts(event, collector, worker);
        }
        finally {
            collector.close();
        }
    }

    private void attempts(Event<E> event, EventCollector<K, V> collector, TaskContext worker)
            throws InterruptedException {
        RetryPolicy retry = spec.errorStrategy().retry();
        for (int attempt = 1;; attempt++) {
            if (worker.isCancellationRequested()) {
                // A receiver that does not answer the stop's interrupt must not be handed the rest of its batch,
                // or a retry, by a pipeline that has stopped counting their results.
                throw new InterruptedException("pipeline " + workers.label() + " is being stopped: event "
                        + event.sequence() + " is not received");
            }
            if (results.stoppedByAnError()) {
                // Stop on the first error: no receive starts once it is recorded, on this worker or another, also
                // before the stop its recorder requested reaches this worker (requested here too: it ends cancelled).
                workers.cancelAll();
                throw new InterruptedException("pipeline " + workers.label() + " stops on its first error: event "
                        + event.sequence() + " is not received");
            }
            ConcurrencyLimiter.Permit permit = null;
            try {
                if (spec.group() != null) {
                    permit = permit(event.sequence(), worker);
                }
                try {
                    receive(event, collector, permit);
                }
                finally {
                    clearLeftoverInterrupt();
                }
                if (permit != null) {
                    permit.success();
                }
                break;
            }
            catch (Throwable t) {
                if (t instanceof InterruptedException ex && PipelineWorkers.isStopping()) {
                    released(permit, null);
                    throw ex;
                }
                released(permit, t);
                Duration delay = retry.nextDelay(attempt, t).orElse(null);
                if (delay == null) {
                    // An error thrown while this worker is being stopped answers that stop: kept, but no cause, so
                    // it neither stops the other workers nor becomes the first error (what stopped this one decides).
                    if (results.recordThrown(new EventError<>(event.sequence(), null, t))
                            && spec.errorStrategy().stopsOnFirstError()) {
                        // Stops the workers now, not at the coordinator's next poll: receives running elsewhere
                        // are interrupted, and the workers end cancelled (this one at its next attempt's check).
                        workers.cancelAll();
                    }
                    break;
                }
                Waits.sleep(delay);
            }
        }
    }

    /**
     * Runs the receiver, its permit lent for every wait of a task in it ({@link WorkPermits}): a receiver
     * that joins a task of the pipeline's group does not hold the permit that task needs.
     */
    private void receive(Event<E> event, EventCollector<K, V> collector, ConcurrencyLimiter.Permit permit)
            throws Exception {
        if (permit == null) {
            receiver.receive(event, collector);
            return;
        }
        ConcurrencyLimiter.Permit enclosing = WorkPermits.hold(permit);
        try {
            receiver.receive(event, collector);
        }
        finally {
            WorkPermits.restore(enclosing);
        }
    }

    /**
     * After a receive: an interrupt flag the receiver left set while nothing stops the worker (it caught an
     * {@link InterruptedException} of its own and restored the flag, as the idiom goes) is its own, handled
     * wait, and is cleared, so it does not fail the worker's next take from the buffer, the next event or the
     * back-off before a retry. Cleared first, then judged: the engine records a stop before it interrupts,
     * so a stop's interrupt cleared here is seen as a stop and set again.
     */
    private static void clearLeftoverInterrupt() {
        if (Thread.interrupted() && PipelineWorkers.isStopping()) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for a permit of the pipeline's group. A rejection (the group at its limit with its queue full,
     * or a wait beyond its maximum) is thrown as this attempt's error, which the error strategy handles
     * like any other: retried, collected, or stopping the pipeline.
     */
    private ConcurrencyLimiter.Permit permit(long sequence, TaskContext worker) throws InterruptedException {
        CompletableFuture<ConcurrencyLimiter.Permit> granted = new CompletableFuture<>();
        ConcurrencyLimiter.Request request = orchestrator.limiter(spec.group()).acquire(priority(worker), granted::complete,
                rejection -> granted.completeExceptionally(new RejectedExecutionException("pipeline "
                        + workers.label() + " could not receive event " + sequence + ": " + rejection.message())));
        try {
            return Waits.get(granted);
        }
        catch (InterruptedException ex) {
            if (!request.cancel()) {
                granted.thenAccept(ConcurrencyLimiter.Permit::ignore);
            }
            throw ex;
        }
        catch (ExecutionException ex) {
            throw (RejectedExecutionException) ex.getCause();
        }
    }

    /** The priority of {@code worker}'s task, which is the pipeline's, set or inherited (see {@link #priority}). */
    private TaskPriority priority(TaskContext worker) {
        TaskPriority known = priority;
        if (known == null) {
            known = spec.priority() != null ? spec.priority()
                    : orchestrator.find(worker.id()).map(TaskInfo::priority).orElse(TaskPriority.NORMAL);
            priority = known;
        }
        return known;
    }

    /**
     * Gives back the permit of an attempt that did not return: a drop if {@code failure} says something timed out,
     * else no sample ({@code null}: stopped).
     */
    private static void released(ConcurrencyLimiter.Permit permit, Throwable failure) {
        if (permit == null) {
            return;
        }
        if (failure != null && Timeouts.isTimeout(failure)) {
            permit.dropped();
        }
        else {
            permit.ignore();
        }
    }
}
