package io.sweetasync.emit;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pipeline's receiving side: the receiver workers, how they take events from the buffer (in batches
 * sized by the cost of an event, or as {@link ReceiverStrategy.Batched} says) and hand each to
 * {@link ReceiveAttempts}, and how many workers run (fixed, or adapted each tick).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>At most {@code max} receiver workers run at once: {@code active} is raised before a worker
 * starts (and lowered again if it cannot start), and workers are added only on the coordinator's
 * thread. It is lowered once per worker: as its body returns, or as its task ends if the body never ran
 * (cancelled before it started), so a pipeline that has ended shows no receiver running.</li>
 * <li>Each event a worker takes is received once, by that worker or (taken but not started, from a
 * shared batch) by an idle sibling that claims it, and released from the buffer's count when finished,
 * also when its receive throws; {@code received} counts those finished, and so, at the same moment, does
 * the count of the worker that received them (its task's {@code received} progress), so the workers'
 * counts add up to the pipeline's.</li>
 * <li>A worker ends when the buffer is closed and drained, when it is stopped, or (adaptive pool) when
 * it takes a retire request: {@code retireRequests} is decremented by exactly one worker per request,
 * so the pool shrinks by one per request.</li>
 * <li>The adaptive sizing state ({@code emptyTicks}, {@code lastLatency}) is touched only by the
 * coordinator's tick; workers feed it through {@code receiveNanos} and {@code receiveCount}.</li>
 * </ul>
 */
final class PipelineReceivers<E, K, V> {

    /**
     * Batching pays while the work per event is below the cost of a hand-off (a lock and a wake-up):
     * receivers whose events take longer than this take them one at a time.
     */
    private static final long BATCH_RECEIVE_NANOS = 10_000;

    private final ReceiverStrategy strategy;
    private final ReceiveAttempts<E, K, V> attempts;
    private final EventBuffer buffer;
    private final PipelineWorkers workers;
    /** Called when a worker waited a tick for nothing. */
    private final Runnable onStarved;
    /** Whether per-event latency is measured (only the adaptive strategy uses it). */
    private final boolean adaptive;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger retireRequests = new AtomicInteger();
    /** Workers started whose bodies have not begun (queued on a busy runtime): the adaptive pool waits for them. */
    private final AtomicInteger notYetRunning = new AtomicInteger();
    private final LongAdder received = new LongAdder();
    private final LongAdder receiveNanos = new LongAdder();
    private final LongAdder receiveCount = new LongAdder();
    /** The shared batches of the running workers that take events one by one, for idle workers to steal from. */
    private final Set<TakenEvents> batches = ConcurrentHashMap.newKeySet();
    private int emptyTicks;
    private double lastLatency;

    PipelineReceivers(ReceiverStrategy strategy, ReceiveAttempts<E, K, V> attempts, EventBuffer buffer,
            PipelineWorkers workers, Runnable onStarved) {
        this.strategy = strategy;
        this.attempts = attempts;
        this.buffer = buffer;
        this.workers = workers;
        this.onStarved = onStarved;
        this.adaptive = strategy instanceof ReceiverStrategy.Adaptive;
    }

    /** Receiver workers running now. */
    int active() {
        return active.get();
    }

    /** Events received so far (finished, with or without an error). */
    long received() {
        return received.sum();
    }

    /** Starts the first receivers: as many as the strategy says, or its minimum. */
    void startFirst() {
        int receivers = switch (strategy) {
            case ReceiverStrategy.Parallel(int count) -> count;
            case ReceiverStrategy.Batched batched -> 1;
            case ReceiverStrategy.Adaptive(MinMax range) -> range.min();
        };
        for (int i = 0; i < receivers; i++) {
            start();
        }
    }

    /**
     * On the coordinator's tick, for the adaptive strategy: one more worker while events queue up and
     * latency holds (within 1.5x of the last tick's) and every worker started has begun, one fewer after four
     * ticks with nothing queued.
     */
    void adapt() {
        if (strategy instanceof ReceiverStrategy.Adaptive(MinMax range)) {
            long count = receiveCount.sumThenReset();
            double latency = count == 0 ? lastLatency : (double) receiveNanos.sumThenReset() / count;
            int backlog = buffer.queued();
            emptyTicks = backlog == 0 ? emptyTicks + 1 : 0;
            int running = active.get() - retireRequests.get();
            // Not while a worker it started has yet to begin: on a runtime whose threads are all busy, more
            // workers only queue there (a 2-thread pool grew to 64 workers, 2 of them running).
            if (backlog > running && running < range.max() && notYetRunning.get() == 0
                    && (lastLatency == 0 || latency <= 1.5 * lastLatency)) {
                start();
            }
            else if (emptyTicks >= 4 && running > range.min()) {
                retireRequests.incrementAndGet();
                emptyTicks = 0;
            }
            lastLatency = latency;
        }
    }

    private void start() {
        active.incrementAndGet();
        notYetRunning.incrementAndGet();
        AtomicBoolean counted = new AtomicBoolean(true);
        AtomicBoolean waiting = new AtomicBoolean(true);
        Runnable began = () -> {
            if (waiting.getAndSet(false)) {
                notYetRunning.decrementAndGet();
            }
        };
        // Lowered once: as the body returns (a retiring worker no longer counts as running), or as the task ends
        // if the body never ran (cancelled before it started).
        Runnable ended = () -> {
            began.run();
            if (counted.getAndSet(false)) {
                active.decrementAndGet();
            }
        };
        SpawningTask<Void> worker;
        try {
            worker = workers.start("receiver", () -> {
                began.run();
                try {
                    return work();
                }
                finally {
                    ended.run();
                }
            });
        }
        catch (RuntimeException ex) {
            ended.run();
            throw ex;
        }
        worker.toCompletableFuture().whenComplete((ignored, error) -> ended.run());
    }

    /** A receiver worker's body. */
    private Void work() throws InterruptedException {
        // looked up once: each receive checks its stop, a volatile read, not a lookup of the thread's task
        Worker worker = new Worker(TaskContext.current().orElseThrow(), new LongAdder());
        worker.context().progress("received", worker.received()::sum);
        if (strategy instanceof ReceiverStrategy.Batched(int size, Duration maxDelay)) {
            receiveBatches(size, maxDelay, worker);
        }
        else {
            receiveEach(worker);
        }
        return null;
    }

    /**
     * Takes events in batches that grow while events are cheap to receive (up to
     * {@link EventBuffer#MAX_BATCH}) and shrink to one as soon as they are not, so slow events are
     * spread over every receiver. A batch is shared: a worker that finds nothing to take (a tick without
     * events, or the buffer drained) receives the events other workers took and have not started, so
     * one stuck in an event does not hold the rest of its batch hostage.
     */
    private void receiveEach(Worker worker) throws InterruptedException {
        TakenEvents batch = TakenEvents.shared(EventBuffer.MAX_BATCH);
        batches.add(batch);
        try {
            int size = 1;
            while (true) {
                int retire = retireRequests.get();
                if (retire > 0 && retireRequests.compareAndSet(retire, retire - 1)) {
                    return;
                }
                int taken = takeFirst(batch, size);
                if (taken < 0) {
                    while (stealFromOthers(worker)) {
                        // until every batch is claimed: nothing new can be taken from a drained buffer
                    }
                    return;
                }
                if (taken == 0) {
                    stealFromOthers(worker);
                    continue;
                }
                long start = System.nanoTime();
                receiveClaimed(batch, taken, worker);
                size = EventBuffer.nextBatchSize(size, System.nanoTime() - start, taken, BATCH_RECEIVE_NANOS);
            }
        }
        finally {
            batches.remove(batch);
        }
    }

    /**
     * Receives the events of a shared batch this worker claims, slot 0 (in hand) first; then closes the
     * batch to claims and releases what it claimed or left unclaimed (what others claimed they release).
     */
    private void receiveClaimed(TakenEvents batch, int count, Worker worker) throws InterruptedException {
        int claimed = 0;
        int done = 0;
        try {
            for (int slot = 0; slot >= 0; slot = batch.claim()) {
                claimed++;
                receiveOne(batch.event(slot), worker);
                done++;
            }
        }
        finally {
            int unclaimed = batch.close();
            counted(worker, done);
            batch.clear(count);
            buffer.release(claimed - 1 + unclaimed);
        }
    }

    /** Receives, one at a time, events other workers took and have not started; whether there were any. */
    private boolean stealFromOthers(Worker worker) throws InterruptedException {
        boolean any = false;
        for (TakenEvents other : batches) {
            for (Event<E> event = other.steal(); event != null; event = other.steal()) {
                any = true;
                try {
                    receiveOne(event, worker);
                    counted(worker, 1);
                }
                finally {
                    buffer.release(1);
                }
            }
        }
        return any;
    }

    /**
     * Fills batches of {@code size}, waiting at most {@code maxDelay} after the first event of each. A
     * batch holds at most the buffer's capacity plus the event taken in hand (the rest count against the
     * buffer until released), so a larger {@code size} is taken as that: a batch that can never fill
     * neither waits {@code maxDelay} for room only its own release would make, nor allocates for it. Its
     * arrays grow as events come, so a huge {@code size} over a huge buffer allocates only for what is taken.
     */
    private void receiveBatches(int requestedSize, Duration maxDelay, Worker worker) throws InterruptedException {
        int size = (int) Math.min(requestedSize, buffer.capacity() + 1L);
        // grown as events come (doubling): a batch holds arrays for what it took, not for its bound
        TakenEvents batch = new TakenEvents(Math.min(size, EventBuffer.MAX_BATCH));
        while (true) {
            int taken = takeFirst(batch, batch.capacity());
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
                if (taken == batch.capacity()) {
                    batch.ensureCapacity((int) Math.min(size, 2L * taken));
                }
                long left = deadline - System.nanoTime();
                int more = buffer.take(batch, taken, batch.capacity() - taken, false, Math.max(0, left));
                if (more < 0) {
                    ended = true;
                }
                if (more <= 0) {
                    break;
                }
                taken += more;
            }
            processAll(batch, taken, worker);
            if (ended) {
                return;
            }
        }
    }

    /**
     * Waits up to a tick for events and takes up to {@code max}, the first in hand: how many, {@code 0}
     * after an empty tick (reported as starvation), {@code -1} once the buffer is closed and drained.
     */
    private int takeFirst(TakenEvents batch, int max) throws InterruptedException {
        int taken = buffer.take(batch, 0, max, true, Pipeline.TICK.toNanos());
        if (taken == 0) {
            onStarved.run();
        }
        return taken;
    }

    /** Receives {@code batch[0..count)} (a batch of its own), then releases them; the first one was taken in hand. */
    private void processAll(TakenEvents batch, int count, Worker worker) throws InterruptedException {
        int done = 0;
        try {
            while (done < count) {
                receiveOne(batch.event(done), worker);
                done++;
            }
        }
        finally {
            counted(worker, done);
            batch.clear(count);
            buffer.release(count - 1);
        }
    }

    /** {@code events} finished by {@code worker}: counted for the pipeline and for the worker. */
    private void counted(Worker worker, int events) {
        received.add(events);
        worker.received().add(events);
    }

    /** A receiver worker's task and the events it has received (its task's {@code received} progress). */
    private record Worker(TaskContext context, LongAdder received) {
    }

    private void receiveOne(Event<E> event, Worker worker) throws InterruptedException {
        long start = adaptive ? System.nanoTime() : 0;
        attempts.receive(event, worker.context());
        if (adaptive) {
            receiveNanos.add(System.nanoTime() - start);
            receiveCount.increment();
        }
    }
}
