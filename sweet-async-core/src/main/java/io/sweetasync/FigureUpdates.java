package io.sweetasync;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Hands finished tasks whose figures just became final (sampled ones, a runaway's) to the orchestrator
 * (listeners, history, store), off the thread that noticed: the JDK Flight Recorder stream, or a runaway's
 * body thread, must never wait for user code. One drainer (a virtual thread, started when work arrives
 * and ending when the queue is empty) delivers in batches, in arrival order. The queue is bounded: if
 * listeners are so slow that {@value #MAX_QUEUED} tasks wait, further ones are dropped, counted and
 * logged, and their figures stay readable through {@code metrics()}.
 *
 * <p>Invariant: {@code draining} is true while a drainer runs; a drainer clears it only after finding
 * the queue empty and then re-checks, so an offer racing with its exit is never stranded.
 */
final class FigureUpdates {

    private static final System.Logger LOG = System.getLogger(FigureUpdates.class.getName());
    static final int MAX_QUEUED = 100_000;
    private static final int BATCH = 1024;

    private final Consumer<List<TaskNode<?>>> sink;
    /** Whom the announcements are for, as the warning about dropped ones names them. */
    private final String audience;
    private final ConcurrentLinkedQueue<TaskNode<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final LongAdder dropped = new LongAdder();

    FigureUpdates(Consumer<List<TaskNode<?>>> sink) {
        this(sink, "listeners' onResourcesUpdated, the history and the store");
    }

    /** {@code audience} names whom the announcements are for, in the warning about dropped ones. */
    FigureUpdates(Consumer<List<TaskNode<?>>> sink, String audience) {
        this.sink = sink;
        this.audience = audience;
    }

    void offer(TaskNode<?> node) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.increment();
            if (dropped.sum() == 1) {
                LOG.log(Level.WARNING, "resource figures became final for more than " + MAX_QUEUED
                        + " tasks before they could be announced (to " + audience + "); further announcements are"
                        + " dropped: those tasks' metrics() and the totals per name still have their figures");
            }
            return;
        }
        queue.add(node);
        if (draining.compareAndSet(false, true)) {
            try {
                Thread.ofVirtual().name("sweet-async-resource-figures").start(this::drain);
            }
            catch (RuntimeException | Error ex) {
                draining.set(false);
                LOG.log(Level.WARNING, "could not start the thread that announces late resource figures", ex);
            }
        }
    }

    long dropped() {
        return dropped.sum();
    }

    private void drain() {
        do {
            List<TaskNode<?>> batch = new ArrayList<>();
            TaskNode<?> next;
            while ((next = queue.poll()) != null) {
                queued.decrementAndGet();
                batch.add(next);
                if (batch.size() == BATCH) {
                    deliver(batch);
                    batch = new ArrayList<>();
                }
            }
            deliver(batch);
            draining.set(false);
        } while (!queue.isEmpty() && draining.compareAndSet(false, true));
    }

    private void deliver(List<TaskNode<?>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            sink.accept(batch);
        }
        catch (Throwable t) {
            LOG.log(Level.WARNING, "announcing late resource figures failed; ignored", t);
        }
    }
}
