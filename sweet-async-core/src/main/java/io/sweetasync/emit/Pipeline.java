package io.sweetasync.emit;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.ConcurrencyLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * One run of a streaming pipeline. The pipeline is a task (the coordinator); its sender and receiver
 * workers are its children, so cancelling or timing out the pipeline stops them all.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>The buffer is bounded ({@code bufferSize}); {@link Emitter#emit} blocks while it is full, so the
 * events in memory are at most the buffer plus one per worker.</li>
 * <li>Every emitted event is taken from the buffer by exactly one receiver worker (a blocking queue's
 * take is exclusive) and received once (retries aside).</li>
 * <li>The end marker is put after every sender worker has returned; a worker that takes it puts it
 * back and exits, so every worker sees it; the coordinator returns the final event only after every
 * worker has returned: the final event is produced exactly once, after all the work.</li>
 * <li>At most {@code max} receiver workers run at once ({@link #activeReceivers} is reserved before a
 * worker starts).</li>
 * </ul>
 */
final class Pipeline<E, K, V> {

    private static final Event<Object> END = new Event<>(-1, null, Instant.EPOCH);
    private static final Duration TICK = Duration.ofMillis(25);

    private enum Signal { SENDER_DONE, ERROR, STARVED, TICK }

    private record Collected<K, V>(long sequence, K key, V value) {
    }

    private final PipelineSpec spec;
    private final TaskOrchestrator orchestrator;
    private final SenderStrategy senderStrategy;
    private final Sender<E> sender;
    private final ReceiverStrategy receiverStrategy;
    private final Receiver<E, K, V> receiver;
    /** Bounded; two locks, so the sender and the receivers do not contend with each other. */
    private final LinkedBlockingQueue<Event<?>> buffer;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder emitted = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final ConcurrentLinkedQueue<EventError<K>> errors = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Collected<K, V>> collected = new ConcurrentLinkedQueue<>();
    private final ResultLog<K, V> results = new ResultLog<>();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final AtomicInteger activeSenders = new AtomicInteger();
    private final AtomicInteger activeReceivers = new AtomicInteger();
    private final AtomicInteger retireRequests = new AtomicInteger();
    private final LongAdder receiveNanos = new LongAdder();
    private final LongAdder receiveCount = new LongAdder();
    private final Map<Object, Iterator<?>> sharedSources = new IdentityHashMap<>();
    private final List<SpawningTask<Void>> workers = new ArrayList<>();
    private volatile boolean senderFinished;
    /** A wall-clock instant and the monotonic time read with it; emission times are derived from it. */
    private record Anchor(Instant instant, long nanos) {
    }

    private volatile Anchor anchor = new Anchor(Instant.now(), System.nanoTime());
    /** Whether per-event latency is measured (only the adaptive strategy uses it). */
    private final boolean adaptive;
    private volatile long lastStarvedNanos;

    Pipeline(PipelineSpec spec, TaskOrchestrator orchestrator, SenderStrategy senderStrategy, Sender<E> sender,
            ReceiverStrategy receiverStrategy, Receiver<E, K, V> receiver) {
        this.spec = spec;
        this.orchestrator = orchestrator;
        this.senderStrategy = senderStrategy;
        this.sender = sender;
        this.receiverStrategy = receiverStrategy;
        this.receiver = receiver;
        this.buffer = new LinkedBlockingQueue<>(spec.bufferSize());
        this.adaptive = receiverStrategy instanceof ReceiverStrategy.Adaptive;
    }

    ResultLog<K, V> results() {
        return results;
    }

    PipelineProgress progress() {
        return new PipelineProgress(emitted.sum(), received.sum(), errors.size(), buffer.size() == 0 ? 0
                : buffer.contains(END) ? buffer.size() - 1 : buffer.size(), activeSenders.get(), activeReceivers.get());
    }

    /** The coordinator's body: runs as the pipeline task. */
    FinalEvent<K, V> coordinate() throws Exception {
        Instant started = Instant.now();
        TaskContext context = TaskContext.current().orElseThrow();
        context.progress("emitted", emitted::sum);
        context.progress("received", received::sum);
        context.progress("errors", () -> errors.size());
        context.progress("buffered", () -> progress().buffered());
        context.progress("senders", activeSenders::get);
        context.progress("receivers", activeReceivers::get);
        try {
            int senders = senderStrategy instanceof SenderStrategy.Parallel(MinMax range) ? range.min() : 1;
            for (int i = 0; i < senders; i++) {
                startSender(context, i);
            }
            int receivers = switch (receiverStrategy) {
                case ReceiverStrategy.Parallel(int count) -> count;
                case ReceiverStrategy.Batched batched -> 1;
                case ReceiverStrategy.Adaptive(MinMax range) -> range.min();
            };
            for (int i = 0; i < receivers; i++) {
                startReceiver(context);
            }
            boolean ticking = receiverStrategy instanceof ReceiverStrategy.Adaptive
                    || senderStrategy instanceof SenderStrategy.Parallel;
            int emptyTicks = 0;
            double lastLatency = 0;
            while (activeSenders.get() > 0 || !senderFinished) {
                Signal signal = ticking ? signals.poll(TICK.toMillis(), TimeUnit.MILLISECONDS) : signals.take();
                if (signal == Signal.ERROR && spec.errorStrategy().stopsOnFirstError()) {
                    throw stop();
                }
                if (signal == Signal.STARVED) {
                    maybeAddSender(context);
                }
                if (receiverStrategy instanceof ReceiverStrategy.Adaptive(MinMax range)) {
                    long count = receiveCount.sumThenReset();
                    double latency = count == 0 ? lastLatency : (double) receiveNanos.sumThenReset() / count;
                    int backlog = buffer.size();
                    emptyTicks = backlog == 0 ? emptyTicks + 1 : 0;
                    int active = activeReceivers.get() - retireRequests.get();
                    if (backlog > active && active < range.max() && (lastLatency == 0 || latency <= 1.5 * lastLatency)) {
                        startReceiver(context);
                    }
                    else if (emptyTicks >= 4 && active > range.min()) {
                        retireRequests.incrementAndGet();
                        emptyTicks = 0;
                    }
                    lastLatency = latency;
                }
                if (activeSenders.get() == 0 && senderFinished) {
                    break;
                }
            }
            buffer.put(END);
            for (SpawningTask<Void> worker : snapshotWorkers()) {
                worker.result();
            }
            if (spec.errorStrategy().stopsOnFirstError() && firstError.get() != null) {
                throw stop();
            }
            return finalEvent(started);
        }
        finally {
            results.finish();
        }
    }

    private Exception stop() {
        for (SpawningTask<Void> worker : snapshotWorkers()) {
            worker.cancel();
        }
        Throwable error = firstError.get();
        results.fail(error);
        return error instanceof Exception exception ? exception : new ExecutionException(error);
    }

    private List<SpawningTask<Void>> snapshotWorkers() {
        synchronized (workers) {
            return List.copyOf(workers);
        }
    }

    private FinalEvent<K, V> finalEvent(Instant started) {
        List<Collected<K, V>> all = new ArrayList<>(collected);
        if (spec.sequence()) {
            all.sort(Comparator.comparingLong(Collected::sequence));
        }
        Map<K, V> map = new LinkedHashMap<>();
        for (Collected<K, V> entry : all) {
            map.remove(entry.key());
            map.put(entry.key(), entry.value());
        }
        List<EventError<K>> errorList = new ArrayList<>(errors);
        if (spec.sequence()) {
            errorList.sort(Comparator.comparingLong(EventError::sequence));
        }
        return new FinalEvent<>(map, errorList, emitted.sum(), received.sum(), Duration.between(started, Instant.now()));
    }

    /**
     * The current instant, derived from the monotonic clock: reading the wall clock for every event
     * would cost more than the rest of emitting it. Re-anchored every second.
     */
    private Instant now() {
        long nanos = System.nanoTime();
        Anchor current = anchor;
        long since = nanos - current.nanos();
        if (since > 1_000_000_000L || since < 0) {
            current = new Anchor(Instant.now(), nanos);
            anchor = current;
            return current.instant();
        }
        return current.instant().plusNanos(since);
    }

    private void record(EventError<K> error) {
        errors.add(error);
        if (firstError.compareAndSet(null, error.error())) {
            signals.add(Signal.ERROR);
        }
    }

    // ---- senders --------------------------------------------------------------------------------

    private void startSender(TaskContext context, int index) {
        activeSenders.incrementAndGet();
        track(workerBuilder(context).named(spec.name() + ".sender").run(() -> {
            try {
                sender.send(new PipelineEmitter(index));
            }
            catch (InterruptedException ex) {
                throw ex;
            }
            catch (Throwable t) {
                record(new EventError<>(-1, null, t));
            }
            finally {
                senderFinished = true;
                activeSenders.decrementAndGet();
                signals.add(Signal.SENDER_DONE);
            }
            return null;
        }));
    }

    private void maybeAddSender(TaskContext context) {
        if (senderStrategy instanceof SenderStrategy.Parallel(MinMax range) && !senderFinished) {
            int running = activeSenders.get();
            if (running > 0 && running < range.max()) {
                startSender(context, running);
            }
        }
    }

    private SpawningTaskBuilder<Void> workerBuilder(TaskContext context) {
        return spec.applyTo(context.child(Void.class));
    }

    private void track(SpawningTask<Void> worker) {
        synchronized (workers) {
            workers.add(worker);
        }
    }

    private final class PipelineEmitter implements Emitter<E> {

        private final int index;

        PipelineEmitter(int index) {
            this.index = index;
        }

        @Override
        public void emit(E data) throws InterruptedException {
            buffer.put(new Event<>(sequence.getAndIncrement(), data, now()));
            emitted.increment();
        }

        @Override
        public void emitAll(Iterable<? extends E> data) throws InterruptedException {
            drain(shared(data, data::iterator));
        }

        @Override
        public void emitAll(Stream<? extends E> data) throws InterruptedException {
            try (data) {
                drain(shared(data, data::iterator));
            }
        }

        private void drain(Iterator<?> source) throws InterruptedException {
            while (true) {
                Object next;
                synchronized (source) {
                    if (!source.hasNext()) {
                        return;
                    }
                    next = source.next();
                }
                @SuppressWarnings("unchecked")
                E event = (E) next;
                emit(event);
            }
        }

        private Iterator<?> shared(Object key, java.util.function.Supplier<Iterator<? extends E>> iterator) {
            synchronized (sharedSources) {
                return sharedSources.computeIfAbsent(key, ignored -> iterator.get());
            }
        }

        @Override
        public int senderIndex() {
            return index;
        }
    }

    // ---- receivers ------------------------------------------------------------------------------

    private void startReceiver(TaskContext context) {
        activeReceivers.incrementAndGet();
        try {
            track(workerBuilder(context).named(spec.name() + ".receiver").run(() -> {
                try {
                    if (receiverStrategy instanceof ReceiverStrategy.Batched(int size, Duration maxDelay)) {
                        receiveBatches(size, maxDelay);
                    }
                    else {
                        receiveEach();
                    }
                }
                finally {
                    activeReceivers.decrementAndGet();
                }
                return null;
            }));
        }
        catch (RuntimeException ex) {
            activeReceivers.decrementAndGet();
            throw ex;
        }
    }

    private void receiveEach() throws InterruptedException {
        while (true) {
            int retire = retireRequests.get();
            if (retire > 0 && retireRequests.compareAndSet(retire, retire - 1)) {
                return;
            }
            Event<?> next = buffer.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                starved();
                continue;
            }
            if (next == END) {
                buffer.put(END);
                return;
            }
            process(next);
        }
    }

    private void receiveBatches(int size, Duration maxDelay) throws InterruptedException {
        List<Event<?>> batch = new ArrayList<>(size);
        while (true) {
            Event<?> first = buffer.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null) {
                starved();
                continue;
            }
            boolean ended = first == END;
            if (!ended) {
                batch.add(first);
                long deadline = System.nanoTime() + maxDelay.toNanos();
                while (batch.size() < size) {
                    long left = deadline - System.nanoTime();
                    Event<?> next = left > 0 ? buffer.poll(left, TimeUnit.NANOSECONDS) : buffer.poll();
                    if (next == null) {
                        break;
                    }
                    if (next == END) {
                        ended = true;
                        break;
                    }
                    batch.add(next);
                }
            }
            for (Event<?> event : batch) {
                process(event);
            }
            batch.clear();
            if (ended) {
                buffer.put(END);
                return;
            }
        }
    }

    private void starved() {
        if (senderStrategy instanceof SenderStrategy.Parallel && !senderFinished) {
            long now = System.nanoTime();
            if (now - lastStarvedNanos > TICK.toNanos()) {
                lastStarvedNanos = now;
                signals.add(Signal.STARVED);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void process(Event<?> raw) throws InterruptedException {
        Event<E> event = (Event<E>) raw;
        EventCollector<K, V> collector = new EventCollector<>() {
            @Override
            public void collect(K key, V value) {
                collected.add(new Collected<>(event.sequence(), key, value));
                results.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
            }

            @Override
            public void collectError(K key, Throwable error) {
                record(new EventError<>(event.sequence(), key, error));
            }
        };
        RetryPolicy retry = spec.errorStrategy().retry();
        long start = adaptive ? System.nanoTime() : 0;
        for (int attempt = 1;; attempt++) {
            ConcurrencyLimiter.Permit permit = spec.group() == null ? null : permit();
            try {
                receiver.receive(event, collector);
                release(permit, true);
                break;
            }
            catch (InterruptedException ex) {
                release(permit, false);
                throw ex;
            }
            catch (Throwable t) {
                release(permit, true);
                Duration delay = retry.nextDelay(attempt, t).orElse(null);
                if (delay == null) {
                    record(new EventError<>(event.sequence(), null, t));
                    break;
                }
                Thread.sleep(delay);
            }
        }
        if (adaptive) {
            receiveNanos.add(System.nanoTime() - start);
            receiveCount.increment();
        }
        received.increment();
    }

    /** Waits for a permit of the pipeline's group; a rejection is this attempt's error. */
    private ConcurrencyLimiter.Permit permit() throws InterruptedException {
        CompletableFuture<ConcurrencyLimiter.Permit> granted = new CompletableFuture<>();
        ConcurrencyLimiter.Request request = orchestrator.limiter(spec.group()).acquire(
                spec.priority() == null ? io.sweetasync.TaskPriority.NORMAL : spec.priority(), granted::complete,
                reason -> granted.completeExceptionally(new java.util.concurrent.RejectedExecutionException(reason)));
        try {
            return granted.get();
        }
        catch (InterruptedException ex) {
            if (!request.cancel()) {
                granted.thenAccept(ConcurrencyLimiter.Permit::ignore);
            }
            throw ex;
        }
        catch (ExecutionException ex) {
            throw (RuntimeException) ex.getCause();
        }
    }

    private static void release(ConcurrencyLimiter.Permit permit, boolean sample) {
        if (permit != null) {
            if (sample) {
                permit.success();
            }
            else {
                permit.ignore();
            }
        }
    }
}
