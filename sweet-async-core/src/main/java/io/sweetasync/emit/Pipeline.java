package io.sweetasync.emit;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.limit.ConcurrencyLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One run of a streaming pipeline. The pipeline is a task (the coordinator); its sender and receiver
 * workers are its children, so cancelling or timing out the pipeline stops them all.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>The buffer is bounded ({@code bufferSize}); {@link Emitter#emit} blocks while it is full, and
 * events a receiver took in a batch count against it until finished, so the events in memory are at
 * most the buffer plus one per worker ({@link EventBuffer}).</li>
 * <li>Every emitted event is taken from the buffer by exactly one receiver worker and received once
 * (retries aside).</li>
 * <li>The buffer is closed after every sender worker has returned; receivers drain it and exit; the
 * coordinator returns the final event only after every worker has returned: the final event is
 * produced exactly once, after all the work.</li>
 * <li>At most {@code max} receiver workers run at once ({@link #activeReceivers} is reserved before a
 * worker starts).</li>
 * </ul>
 */
final class Pipeline<E, K, V> {

    private static final Duration TICK = Duration.ofMillis(25);
    /**
     * Batching pays while the work per event is below the cost of a hand-off (a lock and a wake-up):
     * receivers whose events take longer than this take them one at a time.
     */
    private static final long BATCH_RECEIVE_NANOS = 10_000;
    /**
     * Senders batch pulls from a source only while pulls are this fast, so a pulled event waits at most
     * a few microseconds (or one slow pull) for the rest of its batch.
     */
    private static final long BATCH_PULL_NANOS = 2_000;
    /** Staged events older than this are published by the coordinator's tick. */
    private static final long RESCUE_NANOS = 1_000_000;

    private enum Signal { SENDER_DONE, ERROR, STARVED, WORKER_FAILED }

    /**
     * A collected result: the entry the results publisher hands out, and (with its sequence) what the
     * final event is built from; kept once, in the result log.
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
            return other instanceof Map.Entry<?, ?> entry && java.util.Objects.equals(key, entry.getKey())
                    && java.util.Objects.equals(value, entry.getValue());
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(key) ^ java.util.Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    private final PipelineSpec spec;
    private final TaskOrchestrator orchestrator;
    private final SenderStrategy senderStrategy;
    private final Sender<E> sender;
    private final ReceiverStrategy receiverStrategy;
    private final Receiver<E, K, V> receiver;
    private final EventBuffer buffer;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final LongAdder received = new LongAdder();
    private final ConcurrentLinkedQueue<EventError<K>> errors = new ConcurrentLinkedQueue<>();
    /** Results subscribers are signalled on virtual threads of their own, never on the workers. */
    private final ResultLog<K, V> results = new ResultLog<>(
            delivery -> Thread.ofVirtual().name("sweet-async-results").start(delivery));
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    /** The error of the first worker that ended without completing. */
    private final AtomicReference<Throwable> workerFailure = new AtomicReference<>();
    private final AtomicInteger activeSenders = new AtomicInteger();
    private final AtomicInteger activeReceivers = new AtomicInteger();
    private final AtomicInteger retireRequests = new AtomicInteger();
    private final LongAdder receiveNanos = new LongAdder();
    private final LongAdder receiveCount = new LongAdder();
    private final Map<Object, SharedSource> sharedSources = new IdentityHashMap<>();
    private final List<SpawningTask<Void>> workers = new ArrayList<>();
    private final Set<Staging> staging = ConcurrentHashMap.newKeySet();
    private volatile boolean senderFinished;
    /** The pipeline task's {@code name#id}, for messages; set when its body starts. */
    private volatile String label;
    /** The pipeline task's handle, once {@link #attach}ed. */
    private volatile SpawningTask<FinalEvent<K, V>> handle;
    /** Set when every sender worker has returned and the buffer is closed for that reason. */
    private volatile boolean sendersReturned;
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
        this.buffer = new EventBuffer(spec.bufferSize(), this::refusal);
        this.adaptive = receiverStrategy instanceof ReceiverStrategy.Adaptive;
    }

    /**
     * Called with the pipeline task's handle as soon as it exists. The results stream ends with the
     * task, once its outcome is final (after every worker), exactly once and whatever the outcome:
     * completed for a completed pipeline, else the task's exception (failed, cancelled, timed out, or
     * rejected before it ever ran).
     */
    void attach(SpawningTask<FinalEvent<K, V>> task) {
        handle = task;
        task.toCompletableFuture().whenComplete((done, error) -> {
            if (error == null) {
                results.complete();
            }
            else {
                results.fail(error);
            }
        });
    }

    ResultLog<K, V> results() {
        return results;
    }

    PipelineProgress progress() {
        return new PipelineProgress(buffer.emitted(), received.sum(), errors.size(), buffer.queued(),
                activeSenders.get(), activeReceivers.get());
    }

    /** The coordinator's body: runs as the pipeline task. */
    FinalEvent<K, V> coordinate() throws Exception {
        Instant started = Instant.now();
        TaskContext context = TaskContext.current().orElseThrow();
        label = context.name() + "#" + context.id();
        context.progress("emitted", buffer::emitted);
        context.progress("received", received::sum);
        context.progress("errors", () -> errors.size());
        context.progress("buffered", buffer::queued);
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
            int emptyTicks = 0;
            double lastLatency = 0;
            while (activeSenders.get() > 0 || !senderFinished) {
                Signal signal = Waits.poll(signals, TICK.toMillis(), TimeUnit.MILLISECONDS);
                long now = System.nanoTime();
                for (Staging batch : staging) {
                    batch.rescue(now);
                }
                if (signal == Signal.ERROR && spec.errorStrategy().stopsOnFirstError()) {
                    throw stop();
                }
                if (signal == Signal.WORKER_FAILED) {
                    throw workerFailed();
                }
                if (signal == Signal.STARVED) {
                    maybeAddSender(context);
                }
                if (receiverStrategy instanceof ReceiverStrategy.Adaptive(MinMax range)) {
                    long count = receiveCount.sumThenReset();
                    double latency = count == 0 ? lastLatency : (double) receiveNanos.sumThenReset() / count;
                    int backlog = buffer.queued();
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
            sendersReturned = true;
            buffer.close();
            for (SpawningTask<Void> worker : snapshotWorkers()) {
                worker.result();
            }
            if (workerFailure.get() != null) {
                throw workerFailed();
            }
            if (spec.errorStrategy().stopsOnFirstError() && firstError.get() != null) {
                throw stop();
            }
            return finalEvent(started);
        }
        catch (Throwable t) {
            // Stopping (cancelled, timed out, failed): the workers' stop is requested before the buffer
            // refuses their emits and ends their takes, so none of them ends as if it had finished.
            cancelWorkers();
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
        String pipeline = "pipeline " + label + " takes no more events: ";
        SpawningTask<?> task = handle;
        if (task != null && task.isDone() && task.result() instanceof TaskResult.Err<?>(AsyncTaskException error)) {
            return new IllegalStateException(pipeline + error.getMessage(), error);
        }
        return new IllegalStateException(pipeline + (sendersReturned ? "its senders have returned"
                : "it is being stopped (cancelled, timed out or failed)"));
    }

    private Exception stop() {
        cancelWorkers();
        Throwable error = firstError.get();
        return error instanceof Exception exception ? exception : new ExecutionException(error);
    }

    private void cancelWorkers() {
        for (SpawningTask<Void> worker : snapshotWorkers()) {
            worker.cancel();
        }
    }

    private List<SpawningTask<Void>> snapshotWorkers() {
        synchronized (workers) {
            return List.copyOf(workers);
        }
    }

    private FinalEvent<K, V> finalEvent(Instant started) {
        List<Collected<K, V>> all = new ArrayList<>();
        for (Map.Entry<K, V> entry : results.snapshot()) {
            all.add((Collected<K, V>) entry);
        }
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
        return new FinalEvent<>(map, errorList, buffer.emitted(), received.sum(), Duration.between(started, Instant.now()));
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

    /**
     * Workers are never retried (a worker's body handles its errors itself) and get the pipeline's own
     * timeout, not the orchestrator's default: they start after the pipeline, so their deadline falls
     * after its deadline, and it is the pipeline's deadline that stops them (as its children).
     */
    private SpawningTaskBuilder<Void> workerBuilder(TaskContext context) {
        SpawningTaskBuilder<Void> builder = spec.applyTo(context.child(Void.class)).retry(RetryPolicy.none());
        return spec.timeout() != null ? builder.timeout(spec.timeout()) : builder;
    }

    /**
     * Keeps the worker, and reports its end if it did not complete: a worker stopped on its own (say
     * cancelled by id) would leave events unsent or unreceived, so it fails the pipeline.
     */
    private void track(SpawningTask<Void> worker) {
        synchronized (workers) {
            workers.add(worker);
        }
        worker.toCompletableFuture().whenComplete((ignored, error) -> {
            if (error != null && workerFailure.compareAndSet(null, error)) {
                signals.add(Signal.WORKER_FAILED);
            }
        });
    }

    /** Cancels the other workers; the exception the pipeline fails with. */
    private IllegalStateException workerFailed() {
        cancelWorkers();
        Throwable error = workerFailure.get();
        return new IllegalStateException("a worker of pipeline " + label
                + " stopped before its work was done, so events would be lost: " + error.getMessage(), error);
    }

    private final class PipelineEmitter implements Emitter<E> {

        private final int index;

        PipelineEmitter(int index) {
            this.index = index;
        }

        @Override
        public void emit(E data) throws InterruptedException {
            buffer.put(data, now());
        }

        @Override
        public void emitAll(Iterable<? extends E> data) throws InterruptedException {
            if (sharedSources()) {
                drain(shared(data, () -> new SharedSource(data.iterator(), null)));
            }
            else {
                drain(data.spliterator());
            }
        }

        @Override
        public void emitAll(Stream<? extends E> data) throws InterruptedException {
            if (sharedSources()) {
                drain(shared(data, () -> new SharedSource(data.iterator(), data::close)));
            }
            else {
                try (data) {
                    drain(data.spliterator());
                }
            }
        }

        /** Parallel senders share one iterator per source; a serial sender drives its source alone. */
        private boolean sharedSources() {
            return senderStrategy instanceof SenderStrategy.Parallel;
        }

        /** Lets the source push ({@code forEachRemaining}: far cheaper than an iterator over a stream). */
        private void drain(Spliterator<? extends E> source) throws InterruptedException {
            Staging staging = new Staging();
            try {
                source.forEachRemaining(staging);
            }
            catch (Interrupted ex) {
                throw ex.getCause();
            }
            finally {
                staging.finish();
            }
        }

        /** Pulls from a source shared with the other sender workers; the last to leave it closes it. */
        private void drain(SharedSource source) throws InterruptedException {
            if (!source.join()) {
                return;
            }
            try {
                Staging staging = new Staging();
                try {
                    for (Object next = source.next(); next != SharedSource.END; next = source.next()) {
                        staging.offer(next);
                    }
                }
                finally {
                    staging.finish();
                }
            }
            finally {
                source.leave();
            }
        }

        private SharedSource shared(Object key, Supplier<SharedSource> source) {
            synchronized (sharedSources) {
                return sharedSources.computeIfAbsent(key, ignored -> source.get());
            }
        }

        @Override
        public int senderIndex() {
            return index;
        }
    }

    /**
     * Events a sender pulled from a source and has not published yet. They sit in slots reserved in
     * the buffer (so they count against it) and are published as one batch when the reservation is
     * full: one lock and one wake-up per batch instead of per event. The reservation doubles (up to
     * {@link EventBuffer#MAX_BATCH}) while the source yields events fast and drops to one as soon as it
     * does not. If the source stalls with events staged (say it waits for the receivers to finish
     * them), the coordinator publishes them at its next tick ({@link #rescue}).
     */
    private final class Staging implements Consumer<Object> {

        /** Held by the sender while it stages, and by the coordinator while it rescues. */
        private final AtomicBoolean busy = new AtomicBoolean();
        private final Object[] items = new Object[EventBuffer.MAX_BATCH];
        private int size = 1;
        private int reserved;
        private int count;
        private long start;

        Staging() {
            staging.add(this);
        }

        @Override
        public void accept(Object item) {
            try {
                offer(item);
            }
            catch (InterruptedException ex) {
                throw new Interrupted(ex);
            }
        }

        void offer(Object item) throws InterruptedException {
            acquire();
            try {
                if (reserved == 0) {
                    reserved = buffer.reserve(size);
                    start = System.nanoTime();
                }
                items[count++] = item;
                if (count == reserved) {
                    publishStaged();
                }
            }
            finally {
                busy.setRelease(false);
            }
        }

        /** Publishes what is staged and releases the unused reservation. */
        void finish() {
            staging.remove(this);
            acquire();
            try {
                publishStaged();
            }
            finally {
                busy.setRelease(false);
            }
        }

        /** For the sender; the coordinator only tries, and holds it for one publish at most. */
        private void acquire() {
            while (!busy.compareAndSet(false, true)) {
                Thread.onSpinWait(); // the coordinator is publishing the staged batch: a few microseconds
            }
        }

        /** Called by the coordinator: publishes a batch the source has been slow to fill. */
        void rescue(long now) {
            if (busy.compareAndSet(false, true)) {
                try {
                    if (count > 0 && now - start > RESCUE_NANOS) {
                        publishStaged();
                        size = 1;
                    }
                }
                finally {
                    busy.setRelease(false);
                }
            }
        }

        private void publishStaged() {
            if (reserved == 0) {
                return;
            }
            try {
                buffer.publish(items, count, reserved, now());
            }
            finally {
                Arrays.fill(items, 0, count, null);
            }
            if (count == reserved) {
                size = nextBatchSize(size, System.nanoTime() - start, count, BATCH_PULL_NANOS);
            }
            count = 0;
            reserved = 0;
        }
    }

    /** Carries an {@link InterruptedException} out of a {@code Consumer}. */
    private static final class Interrupted extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Interrupted(InterruptedException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized InterruptedException getCause() {
            return (InterruptedException) super.getCause();
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

    /**
     * Takes events in batches that grow while events are cheap to receive (up to
     * {@link EventBuffer#MAX_BATCH}) and shrink to one as soon as they are not, so slow events are
     * spread over every receiver.
     */
    private void receiveEach() throws InterruptedException {
        Event<?>[] batch = new Event<?>[EventBuffer.MAX_BATCH];
        int size = 1;
        while (true) {
            int retire = retireRequests.get();
            if (retire > 0 && retireRequests.compareAndSet(retire, retire - 1)) {
                return;
            }
            int taken = takeFirst(batch, size);
            if (taken < 0) {
                return;
            }
            if (taken == 0) {
                continue;
            }
            long start = System.nanoTime();
            processAll(batch, taken);
            size = nextBatchSize(size, System.nanoTime() - start, taken, BATCH_RECEIVE_NANOS);
        }
    }

    /**
     * Waits up to a tick for events and takes up to {@code max}, the first in hand: how many, {@code 0}
     * after an empty tick (signalled as starvation), {@code -1} once the buffer is closed and drained.
     */
    private int takeFirst(Event<?>[] batch, int max) throws InterruptedException {
        int taken = buffer.take(batch, 0, max, true, TICK.toNanos());
        if (taken == 0) {
            starved();
        }
        return taken;
    }

    /** Doubles a batch (up to {@link EventBuffer#MAX_BATCH}) while events cost at most {@code cheap}; else one. */
    private static int nextBatchSize(int size, long elapsedNanos, int events, long cheap) {
        return elapsedNanos / events <= cheap ? Math.min(EventBuffer.MAX_BATCH, size * 2) : 1;
    }

    private void receiveBatches(int size, Duration maxDelay) throws InterruptedException {
        Event<?>[] batch = new Event<?>[size];
        while (true) {
            int taken = takeFirst(batch, size);
            if (taken < 0) {
                return;
            }
            if (taken == 0) {
                continue;
            }
            long delay = maxDelay.compareTo(Duration.ofNanos(Long.MAX_VALUE / 4)) >= 0 ? Long.MAX_VALUE / 4
                    : maxDelay.toNanos(); // a practically endless wait, without overflowing the deadline
            long deadline = System.nanoTime() + delay;
            boolean ended = false;
            while (taken < size) {
                long left = deadline - System.nanoTime();
                int more = buffer.take(batch, taken, size - taken, false, Math.max(0, left));
                if (more < 0) {
                    ended = true;
                }
                if (more <= 0) {
                    break;
                }
                taken += more;
            }
            processAll(batch, taken);
            if (ended) {
                return;
            }
        }
    }

    /** Receives {@code batch[0..count)}, then releases them; the first one was taken in hand. */
    private void processAll(Event<?>[] batch, int count) throws InterruptedException {
        int done = 0;
        try {
            while (done < count) {
                process(batch[done]);
                done++;
            }
        }
        finally {
            received.add(done);
            Arrays.fill(batch, 0, count, null);
            buffer.release(count - 1);
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
                results.add(new Collected<>(event.sequence(), key, value));
            }

            @Override
            public void collectError(K key, Throwable error) {
                record(new EventError<>(event.sequence(), key, error));
            }
        };
        RetryPolicy retry = spec.errorStrategy().retry();
        long start = adaptive ? System.nanoTime() : 0;
        for (int attempt = 1;; attempt++) {
            ConcurrencyLimiter.Permit permit = null;
            try {
                if (spec.group() != null) {
                    permit = permit(event.sequence());
                }
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
                Waits.sleep(delay);
            }
        }
        if (adaptive) {
            receiveNanos.add(System.nanoTime() - start);
            receiveCount.increment();
        }
    }

    /**
     * Waits for a permit of the pipeline's group. A rejection (the group at its limit with its queue full,
     * or a wait beyond its maximum) is thrown as this attempt's error, which the error strategy handles
     * like any other: retried, collected, or stopping the pipeline.
     */
    private ConcurrencyLimiter.Permit permit(long sequence) throws InterruptedException {
        CompletableFuture<ConcurrencyLimiter.Permit> granted = new CompletableFuture<>();
        ConcurrencyLimiter.Request request = orchestrator.limiter(spec.group()).acquire(
                spec.priority() == null ? TaskPriority.NORMAL : spec.priority(), granted::complete,
                reason -> granted.completeExceptionally(new RejectedExecutionException("pipeline " + label
                        + " could not receive event " + sequence + ": " + reason)));
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
