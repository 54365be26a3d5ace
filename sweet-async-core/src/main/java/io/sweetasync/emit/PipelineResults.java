package io.sweetasync.emit;

import io.sweetasync.SpawningTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * What a pipeline's receivers produce: the collected results (kept once, in the {@link ResultLog} that
 * subscribers read live), the errors, and the final event built from both.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Each result is kept once, with the sequence of the event it came from, so the final event can
 * be ordered by emission ({@code sequence()}) whatever order the receivers collected in.</li>
 * <li>{@code firstError} is set once, by the first error recorded as a cause, and only that error is signalled
 * ({@link Pipeline.Signal#ERROR}): the coordinator learns of an error at most once. An error a worker threw while
 * being stopped is a consequence of that stop, kept in the errors but never the first error, so what stopped the
 * worker (the first error, a cancelled worker) is what the pipeline fails with ({@link #recordThrown}).</li>
 * <li>The results stream ends with the pipeline task's outcome ({@link #endWith}), exactly once, after
 * every worker; a result collected later is dropped by the log.</li>
 * <li>The final event is built by the coordinator after every worker has returned, so it sees every
 * result and error.</li>
 * </ul>
 */
final class PipelineResults<K, V> {

    /**
     * A collected result: the entry the results publisher hands out, and (with its sequence) what the
     * final event is built from.
     */
    private record Collected<K, V>(long sequence, K key, V value) implements Map.Entry<K, V> {

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V newValue) {
            throw new UnsupportedOperationException("collected results are immutable");
        }

        /** As {@link Map.Entry#equals} specifies: key and value only. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Map.Entry<?, ?> entry && Objects.equals(key, entry.getKey())
                    && Objects.equals(value, entry.getValue());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(key) ^ Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    private final boolean sequence;
    private final Consumer<Pipeline.Signal> signals;
    /** Results subscribers are signalled on virtual threads of their own, never on the workers. */
    private final ResultLog<K, V> log = new ResultLog<>(
            delivery -> Thread.ofVirtual().name("sweet-async-results").start(delivery));
    private final ConcurrentLinkedQueue<EventError<K>> errors = new ConcurrentLinkedQueue<>();
    /** The size of {@link #errors}, which a ConcurrentLinkedQueue would count by walking it on each progress read. */
    private final AtomicInteger errorCount = new AtomicInteger();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();

    /** Whether the pipeline stops on its first error ({@link ErrorStrategy#stopOnFirst()}). */
    private final boolean stopsOnFirstError;

    /** {@code sequence}: the final event in emission order; {@code stopsOnFirstError}: as its error strategy says. */
    PipelineResults(boolean sequence, boolean stopsOnFirstError, Consumer<Pipeline.Signal> signals) {
        this.sequence = sequence;
        this.stopsOnFirstError = stopsOnFirstError;
        this.signals = signals;
    }

    /** The live results, for {@link EmittingTask#results()}. */
    ResultLog<K, V> log() {
        return log;
    }

    /**
     * Ends the results stream with {@code pipeline}'s outcome, once it is final (after every worker),
     * whatever it is: completed for a completed pipeline, else the task's exception (failed, cancelled,
     * timed out, or rejected before it ever ran).
     */
    void endWith(SpawningTask<?> pipeline) {
        pipeline.toCompletableFuture().whenComplete((done, error) -> {
            if (error == null) {
                log.complete();
            }
            else {
                log.fail(error);
            }
        });
    }

    /**
     * What a receiver hands its receive of event {@code sequence}, for all its attempts; {@link
     * Collector#close closed} when they are over.
     */
    Collector collectorFor(long sequence, String pipeline) {
        return new Collector(sequence, pipeline);
    }

    /**
     * One event's collector. It takes results only while the event is being received: one kept by a
     * receiver and called later refuses them, naming the pipeline and the event, as a kept {@link Emitter}
     * refuses events (what it took would be in no final event, and the results stream may have ended).
     */
    final class Collector implements EventCollector<K, V> {

        /** {@link #state}'s flag: the receive ended, nothing more is taken. */
        private static final int CLOSED = 1 << 30;
        private static final VarHandle STATE = stateHandle();

        private final long sequence;
        private final String pipeline;
        /**
         * {@link #CLOSED}, plus the calls taking a result now: a call counts itself in before it looks at the flag and
         * out once its result is kept, and {@link #close} waits for the count to drain after setting the flag, so a
         * call that returned normally has its result in the log before the receive is over (a flag read, then the
         * add, let a result taken as the receive ended miss the final event). A field of its own ({@link #STATE}), not an
         * {@code AtomicInteger}: one collector is made per event, and the atomic was a third of its 48 bytes.
         */
        private volatile int state;

        private Collector(long sequence, String pipeline) {
            this.sequence = sequence;
            this.pipeline = pipeline;
        }

        @Override
        public void collect(K key, V value) {
            enter();
            try {
                log.append(new Collected<>(sequence, key, value));
            }
            finally {
                STATE.getAndAdd(this, -1);
            }
            log.drain(); // subscribers' code runs outside the count: close() never waits for it
        }

        @Override
        public void collectError(K key, Throwable error) {
            Objects.requireNonNull(error, "error must not be null: collectError records a failure");
            enter();
            try {
                record(new EventError<>(sequence, key, error));
            }
            finally {
                STATE.getAndAdd(this, -1);
            }
        }

        /**
         * Ends the receive of this collector's event: it takes nothing more, and every call that took a result before
         * has kept it when this returns (they are short: a list's add under its lock, or an error's).
         */
        void close() {
            STATE.getAndBitwiseOr(this, CLOSED);
            // Spins a while, then parks: a call in flight on a virtual thread may be unmounted (say, blocked on the
            // result log's monitor) and needs a carrier back, which closers spinning on every carrier never give up.
            boolean interrupted = false;
            for (int turn = 0; (state & ~CLOSED) != 0; turn++) {
                interrupted |= Waits.spin(turn);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private static VarHandle stateHandle() {
            try {
                return MethodHandles.lookup().findVarHandle(PipelineResults.Collector.class, "state", int.class);
            }
            catch (ReflectiveOperationException ex) {
                throw new ExceptionInInitializerError(ex);
            }
        }

        /** Counts a call in, refused once closed. */
        private void enter() {
            if (((int) STATE.getAndAdd(this, 1) & CLOSED) != 0) {
                STATE.getAndAdd(this, -1);
                throw new IllegalStateException("pipeline " + pipeline + ": the collector of event " + sequence
                        + " was used after its receive ended; collect within Receiver.receive (a result collected"
                        + " later would be in no final event)");
            }
        }
    }

    /** Keeps an error the receiver reported ({@link Collector#collectError}): a cause; the first one is signalled. */
    void record(EventError<K> error) {
        record(error, true);
    }

    /**
     * Keeps an error a worker's user code threw, on that worker's thread; whether it is a cause (see {@link
     * #firstError}). One thrown while the worker is being stopped (its task's stop requested: by the worker that
     * recorded the first error, by the coordinator, by a cancel of the worker or of the pipeline) answers that stop
     * (user code that turns the stop's interrupt into an exception of its own, or a refused emit): it is kept in
     * the errors, but it is no cause, so it never becomes the first error, and neither stops the pipeline nor
     * names its failure in place of what stopped the worker.
     */
    boolean recordThrown(EventError<K> error) {
        boolean cause = !PipelineWorkers.isStopping();
        record(error, cause);
        return cause;
    }

    private void record(EventError<K> error, boolean cause) {
        errors.add(error);
        errorCount.incrementAndGet();
        if (cause && firstError.compareAndSet(null, error.error())) {
            signals.accept(Pipeline.Signal.ERROR);
        }
    }

    int errorCount() {
        return errorCount.get();
    }

    /**
     * The first error recorded as a cause; {@code null} if none. An error a worker threw while it was being stopped
     * is a consequence of that stop, never the first error ({@link #recordThrown}).
     */
    Throwable firstError() {
        return firstError.get();
    }

    /** Whether the pipeline stops on its first error and one has been recorded. */
    boolean stoppedByAnError() {
        return stopsOnFirstError && firstError.get() != null;
    }

    /** The final event of a run {@code started} then ({@link System#nanoTime()}), once every worker has returned. */
    FinalEvent<K, V> finalEvent(long emitted, long received, long started) {
        List<Collected<K, V>> all = new ArrayList<>();
        for (Map.Entry<K, V> entry : log.snapshot()) {
            all.add((Collected<K, V>) entry);
        }
        if (sequence) {
            all.sort(Comparator.comparingLong(Collected::sequence));
        }
        Map<K, V> map = new LinkedHashMap<>();
        for (Collected<K, V> entry : all) {
            map.remove(entry.key());
            map.put(entry.key(), entry.value());
        }
        List<EventError<K>> errorList = new ArrayList<>(errors);
        if (sequence) {
            errorList.sort(Comparator.comparingLong(EventError::sequence));
        }
        return new FinalEvent<>(map, errorList, emitted, received, Duration.ofNanos(System.nanoTime() - started));
    }
}
