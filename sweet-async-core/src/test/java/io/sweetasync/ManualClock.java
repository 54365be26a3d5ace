package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** A clock that moves only when told; scheduled actions run inside {@link #advance}. */
public final class ManualClock implements TaskClock {

    private record Entry(long due, long seq, Runnable action, boolean[] cancelled) {
    }

    private final Instant origin = Instant.parse("2026-01-01T00:00:00Z");
    private final PriorityQueue<Entry> pending = new PriorityQueue<>(
            (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private final List<Duration> requested = new ArrayList<>();
    private long nanos;
    private long seq;

    @Override
    public synchronized Instant now() {
        return origin.plusNanos(nanos);
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable action) {
        requested.add(delay);
        boolean[] cancelled = new boolean[1];
        pending.add(new Entry(nanos + delay.toNanos(), seq++, action, cancelled));
        notifyAll();
        return () -> {
            synchronized (ManualClock.this) {
                cancelled[0] = true;
            }
        };
    }

    /** Every delay asked for so far, in order. */
    public synchronized List<Duration> requestedDelays() {
        return List.copyOf(requested);
    }

    /** Number of scheduled actions not yet run nor cancelled. */
    public synchronized int pendingCount() {
        return (int) pending.stream().filter(e -> !e.cancelled[0]).count();
    }

    /** Waits (up to 10 s) until {@code count} delays have been requested. */
    public synchronized void awaitRequests(int count) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (requested.size() < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " scheduled delays, saw " + requested);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Moves time forward and runs the actions that fall due, in order. */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = nanos + by.toNanos();
        }
        while (true) {
            Entry next;
            synchronized (this) {
                next = pending.peek();
                if (next == null || next.due > target) {
                    nanos = target;
                    return;
                }
                pending.poll();
                nanos = Math.max(nanos, next.due);
                if (next.cancelled[0]) {
                    continue;
                }
            }
            next.action.run();
        }
    }
}
