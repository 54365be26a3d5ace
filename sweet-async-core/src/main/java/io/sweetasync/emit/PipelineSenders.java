package io.sweetasync.emit;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A pipeline's sending side: the sender workers, the {@link Emitter} each one is given, and the way
 * sources are drained into the buffer (staged in batches, shared between parallel senders).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>{@code active} counts sender workers started and not ended (raised before a worker starts, lowered
 * when its task ends, also one cancelled before its body ran); {@code finished} is set once any sender
 * has finished: its task completed, which is after its body returned and after its child tasks ended
 * (SPEC 1.8), so events a child task of a sender emits after the body returned still enter the buffer.
 * The sending is {@link #done} when both say so; then nothing more enters the buffer from a
 * sender.</li>
 * <li>Parallel senders ({@link SenderStrategy.Parallel}) share one iterator per source object and call
 * ({@link SharedSource}, looked up by identity and each worker's call count in {@link SharedSources},
 * which holds source objects weakly), so each element of each call is sent once; worker indexes are
 * unique ({@code nextIndex});
 * a serial sender drives its source alone.</li>
 * <li>At most {@code max} parallel senders run; more are started only on the coordinator's thread,
 * when receivers starve, and never after a sender's body has returned ({@code returned}), even while its
 * child tasks still run.</li>
 * <li>Each sender worker counts what it emitted, published as its task's {@code emitted} progress, so
 * the workers' counts add up to the pipeline's.</li>
 * <li>A sender's error is recorded as an error of sequence {@code -1}, also an
 * {@link InterruptedException} the sender throws while its worker is not being stopped (its own, or a
 * publisher's error); the sender returns normally, so only a stopped sender fails the pipeline. An error it throws
 * while being stopped (its source answering the stop's interrupt, an emit refused as the pipeline stops) is kept but
 * is no first error: it never pre-empts what stopped the sender ({@link PipelineResults#recordThrown}).</li>
 * </ul>
 */
final class PipelineSenders<E> {

    private final SenderStrategy strategy;
    private final Sender<E> sender;
    private final EventBuffer buffer;
    private final PipelineWorkers workers;
    private final PipelineResults<?, ?> results;
    private final Consumer<Pipeline.Signal> signals;
    private final EmissionClock clock = new EmissionClock();
    private final AtomicInteger active = new AtomicInteger();
    /** The index of the next sender worker. */
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final SharedSources sharedSources = new SharedSources();
    /** Every staging a sender is filling, for the coordinator to rescue. */
    private final Set<StagedEvents> staging = ConcurrentHashMap.newKeySet();
    /** Set once any sender's task has completed (see the invariants). */
    private volatile boolean finished;
    /** Set once any sender's body has returned: its worker found the source drained, so no more are started. */
    private volatile boolean returned;
    private volatile long lastStarvedNanos;

    PipelineSenders(SenderStrategy strategy, Sender<E> sender, EventBuffer buffer, PipelineWorkers workers,
            PipelineResults<?, ?> results, Consumer<Pipeline.Signal> signals) {
        this.strategy = strategy;
        this.sender = sender;
        this.buffer = buffer;
        this.workers = workers;
        this.results = results;
        this.signals = signals;
    }

    /** Sender workers running now. */
    int active() {
        return active.get();
    }

    /** Whether every sender has finished: nothing more will be emitted. */
    boolean done() {
        return active.get() == 0 && finished;
    }

    /** Starts the first senders: {@code min} parallel ones, else one. */
    void startFirst() {
        int senders = strategy instanceof SenderStrategy.Parallel(MinMax range) ? range.min() : 1;
        for (int i = 0; i < senders; i++) {
            start();
        }
    }

    private void start() {
        int index = nextIndex.getAndIncrement();
        active.incrementAndGet();
        SpawningTask<Void> worker;
        try {
            worker = workers.start("sender", () -> {
                try {
                    PipelineEmitter emitter = new PipelineEmitter(index);
                    TaskContext.current().orElseThrow().progress("emitted", emitter.emitted::sum);
                    sender.send(emitter);
                }
                catch (Throwable t) {
                    if (t instanceof InterruptedException ex && PipelineWorkers.isStopping()) {
                        throw ex;
                    }
                    results.recordThrown(new EventError<>(-1, null, t)); // while stopping: kept, but no first error
                }
                finally {
                    returned = true;
                }
                return null;
            });
        }
        catch (RuntimeException ex) {
            active.decrementAndGet();
            throw ex;
        }
        // Finished when its task is, not when its body returns: the task ends after its children (SPEC 1.8), which
        // may still be emitting. A worker that did not complete fails the pipeline (WORKER_FAILED) instead.
        worker.toCompletableFuture().whenComplete((ignored, error) -> {
            if (error == null) {
                finished = true;
            }
            active.decrementAndGet();
            signals.accept(Pipeline.Signal.SENDER_DONE);
        });
    }

    /**
     * Called by a receiver that waited a tick for nothing: asks the coordinator for another sender, at
     * most once a tick, if parallel senders can help.
     */
    void starved() {
        if (strategy instanceof SenderStrategy.Parallel && !returned) {
            long now = System.nanoTime();
            if (now - lastStarvedNanos > Pipeline.TICK.toNanos()) {
                lastStarvedNanos = now;
                signals.accept(Pipeline.Signal.STARVED);
            }
        }
    }

    /** On the coordinator's thread, when receivers starve: one more parallel sender, up to {@code max}. */
    void grow() {
        if (strategy instanceof SenderStrategy.Parallel(MinMax range) && !returned) {
            int running = active.get();
            if (running > 0 && running < range.max()) {
                start();
            }
        }
    }

    /** On the coordinator's tick: publishes batches the sources have been slow to fill. */
    void rescueStaged(long now) {
        for (StagedEvents batch : staging) {
            batch.rescue(now);
        }
    }

    private SharedSource shared(Object key, int worker, Supplier<SharedSource> source) throws InterruptedException {
        return sharedSources.get(key, worker, source);
    }

    private final class PipelineEmitter implements Emitter<E> {

        private final int index;
        /** What this sender worker has emitted (its task's {@code emitted} progress). */
        private final LongAdder emitted = new LongAdder();

        PipelineEmitter(int index) {
            this.index = index;
        }

        @Override
        public void emit(E data) throws InterruptedException {
            buffer.put(data, clock.now());
            emitted.increment();
        }

        @Override
        public void emitAll(Iterable<? extends E> data) throws InterruptedException {
            buffer.checkOpen(); // refused past the run even when empty, as the Emitter promises
            if (sharedSources()) {
                drain(shared(data, index, () -> new SharedSource(data.iterator(), null)));
            }
            else {
                drain(data.spliterator());
            }
        }

        @Override
        public void emitAll(Stream<? extends E> data) throws InterruptedException {
            try {
                buffer.checkOpen();
            }
            catch (RuntimeException refused) {
                try {
                    data.close(); // refused past the run: the stream is closed all the same, as emitAll promises
                }
                catch (Exception closing) { // its onClose is user code: a checked exception undeclared too
                    refused.addSuppressed(closing);
                }
                throw refused;
            }
            if (sharedSources()) {
                drain(shared(data, index, () -> new SharedSource(data.iterator(), data::close)));
            }
            else {
                try (data) {
                    drain(data.spliterator());
                }
            }
        }

        /** Parallel senders share one iterator per source; a serial sender drives its source alone. */
        private boolean sharedSources() {
            return strategy instanceof SenderStrategy.Parallel;
        }

        /** Lets the source push ({@code forEachRemaining}: far cheaper than an iterator over a stream). */
        private void drain(Spliterator<? extends E> source) throws InterruptedException {
            StagedEvents staged = new StagedEvents(buffer, clock, staging, emitted);
            try {
                source.forEachRemaining(staged);
            }
            catch (StagedEvents.Interrupted ex) {
                throw ex.getCause();
            }
            finally {
                staged.finish();
            }
        }

        /** Pulls from a source shared with the other sender workers; the last to leave it closes it. */
        private void drain(SharedSource source) throws InterruptedException {
            if (!source.join()) {
                return;
            }
            try {
                StagedEvents staged = new StagedEvents(buffer, clock, staging, emitted);
                try {
                    for (Object next = source.next(); next != SharedSource.END; next = source.next()) {
                        staged.offer(next);
                    }
                }
                finally {
                    staged.finish();
                }
            }
            finally {
                source.leave();
            }
        }

        @Override
        public int senderIndex() {
            return index;
        }
    }
}
