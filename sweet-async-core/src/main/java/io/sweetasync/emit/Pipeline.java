package io.sweetasync.emit;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One run of a streaming pipeline, and its coordinator: the pipeline task's body starts the workers,
 * wakes on their signals or every tick to steer them, and ends the run, with the final event or by
 * stopping every worker. The parts it steers each have one job: {@link PipelineSenders} (sending),
 * {@link PipelineReceivers} and {@link ReceiveAttempts} (receiving), {@link PipelineResults} (results),
 * {@link PipelineWorkers} (the worker tasks), and between them the {@link EventBuffer}.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>The buffer is bounded ({@code bufferSize}); {@link Emitter#emit} blocks while it is full (a sender
 * waiting beside free slots the receivers stopped adding to is woken at the next tick at the latest), and
 * events a receiver took in a batch count against it until finished, so the events in memory are at
 * most the buffer plus one per worker ({@link EventBuffer}).</li>
 * <li>Every emitted event is taken from the buffer by exactly one receiver worker and received once
 * (retries aside).</li>
 * <li>The buffer is closed after every sender worker has finished (its task ended, so its child tasks
 * too); receivers drain it and exit; the
 * coordinator returns the final event only after every worker has returned: the final event is
 * produced exactly once, after all the work. While they drain, the coordinator still acts on the
 * first error (stop on first error) and on a failed worker, as it does while senders run.</li>
 * <li>Workers are started, added and retired only on the coordinator's thread; workers and parts talk
 * to it only through {@code signals}.</li>
 * <li>On any other way out (cancelled, timed out, stopped on the first error, a worker failed) every
 * worker's stop is requested before the buffer closes, so none of them ends as if it had finished,
 * and the events still queued are dropped; the buffer is closed on every way out, so an emitter kept
 * past the run is refused, never ignored.</li>
 * </ul>
 */
final class Pipeline<E, K, V> {

    /** How often the coordinator steers, and how long a receiver waits for events before it starves. */
    static final Duration TICK = Duration.ofMillis(25);

    /** What wakes the coordinator before its tick. */
    enum Signal { SENDER_DONE, ERROR, STARVED, WORKER_FAILED, WORKER_ENDED }

    private final PipelineSpec spec;
    private final EventBuffer buffer;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final PipelineWorkers workers;
    private final PipelineResults<K, V> results;
    private final PipelineSenders<E> senders;
    private final PipelineReceivers<E, K, V> receivers;
    /** The pipeline task's handle, once {@link #attach}ed. */
    private volatile SpawningTask<FinalEvent<K, V>> handle;
    /** Set when every sender worker has finished and the buffer is closed for that reason. */
    private volatile boolean sendersReturned;

    Pipeline(PipelineSpec spec, TaskOrchestrator orchestrator, SenderStrategy senderStrategy, Sender<E> sender,
            ReceiverStrategy receiverStrategy, Receiver<E, K, V> receiver) {
        this.spec = spec;
        this.buffer = new EventBuffer(spec.bufferSize(), this::refusal);
        this.workers = new PipelineWorkers(spec, signals::add);
        this.results = new PipelineResults<>(spec.sequence(), spec.errorStrategy().stopsOnFirstError(), signals::add);
        this.senders = new PipelineSenders<>(senderStrategy, sender, buffer, workers, results, signals::add);
        this.receivers = new PipelineReceivers<>(receiverStrategy,
                new ReceiveAttempts<>(spec, orchestrator, receiver, results, workers), buffer, workers, senders::starved);
    }

    /**
     * Called with the pipeline task's handle as soon as it exists. The results stream ends with the
     * task, once its outcome is final (after every worker), exactly once and whatever the outcome.
     */
    void attach(SpawningTask<FinalEvent<K, V>> task) {
        handle = task;
        results.endWith(task);
    }

    ResultLog<K, V> results() {
        return results.log();
    }

    PipelineProgress progress() {
        // Received first: an event is emitted before it is received, so the emitted count read after it is at
        // least as large; read the other way round, events emitted and received between the reads showed up
        // as received but not emitted.
        long received = receivers.received();
        return new PipelineProgress(buffer.emitted(), received, results.errorCount(), buffer.queued(),
                senders.active(), receivers.active());
    }

    /** The coordinator's body: runs as the pipeline task. */
    FinalEvent<K, V> coordinate() throws Exception {
        long started = System.nanoTime(); // monotonic: the wall clock may be stepped or slewed meanwhile
        TaskContext context = TaskContext.current().orElseThrow();
        workers.open(context);
        // Snapshots read the values in this order: received before emitted, as progress() does.
        context.progress("received", receivers::received);
        context.progress("emitted", buffer::emitted);
        context.progress("errors", results::errorCount);
        context.progress("buffered", buffer::queued);
        context.progress("senders", senders::active);
        context.progress("receivers", receivers::active);
        try {
            senders.startFirst();
            receivers.startFirst();
            while (!senders.done()) {
                Signal signal = Waits.poll(signals, TICK.toMillis(), TimeUnit.MILLISECONDS);
                senders.rescueStaged(System.nanoTime());
                buffer.wakeStalledSender();
                if (signal == Signal.ERROR && results.stoppedByAnError()) {
                    throw stop();
                }
                if (signal == Signal.WORKER_FAILED) {
                    // a worker that saw the first error recorded ends before its recorder's signal may be queued
                    throw results.stoppedByAnError() ? stop() : workers.failed();
                }
                if (signal == Signal.STARVED) {
                    senders.grow();
                }
                receivers.adapt();
            }
            sendersReturned = true;
            buffer.close();
            // The receivers drain the buffer; an error or a failed worker still stops the pipeline now,
            // not once every receiver has returned by itself (a blocked one may never do so).
            while (true) {
                // Read first: a worker records its error (or its failure is kept) before it counts as ended,
                // so the checks below see whatever the workers seen ended left. Read last, a worker that
                // failed and ended between the checks and this read would pass for a clean finish.
                boolean allEnded = workers.allEnded();
                if (results.stoppedByAnError()) { // first: the workers that saw it end because of it
                    throw stop();
                }
                if (workers.anyFailed()) {
                    throw workers.failed();
                }
                if (allEnded) {
                    break;
                }
                Waits.poll(signals, TICK.toMillis(), TimeUnit.MILLISECONDS);
                // A backlog left when the senders returned (a stream that fits in the buffer) is drained by as
                // many receivers as it deserves, not by those that ran when the last event came in.
                receivers.adapt();
            }
            return results.finalEvent(buffer.emitted(), receivers.received(), started);
        }
        catch (Throwable t) {
            // Stopping (cancelled, timed out, failed): the workers' stop is requested before the buffer
            // refuses their emits and ends their takes, so none of them ends as if it had finished. What is
            // still queued is received by nobody: dropped, not kept by the handle.
            workers.cancelAll();
            buffer.discard();
            throw t;
        }
        finally {
            buffer.close(); // on every way out: an emitter kept past this point is refused, never ignored
        }
    }

    /**
     * What {@link Emitter#emit} throws once the buffer is closed: names the pipeline and why, from its
     * outcome when it is known.
     */
    private IllegalStateException refusal() {
        String pipeline = "pipeline " + workers.label() + " takes no more events: ";
        SpawningTask<?> task = handle;
        if (task != null && task.status().isTerminal() && task.result() instanceof TaskResult.Err<?>(AsyncTaskException error)) {
            return new IllegalStateException(pipeline + error.getMessage(), error);
        }
        return new IllegalStateException(pipeline + (sendersReturned ? "its senders have returned"
                : "it is being stopped (cancelled, timed out or failed)"));
    }

    /**
     * Stops on the first error: cancels the workers; the exception the pipeline fails with. An {@link Error} is
     * thrown as it is, as a task's body throwing it would: the pipeline's failure has it as its cause.
     */
    private Exception stop() {
        workers.cancelAll();
        Throwable error = results.firstError();
        if (error instanceof Error fatal) {
            throw fatal;
        }
        return error instanceof Exception exception ? exception : new ExecutionException(error);
    }
}
