package io.sweetasync.limit;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * For tests of limit algorithms fed samples directly (a {@link Limit}, no limiter: see {@link VirtualDownstream}
 * for one behind a limiter): a closed loop in virtual time, {@code limit()} requests in flight, served FIFO by
 * {@code slots} slots, each taking the service time ±15% (fixed seed), every completion a sample in completion order.
 * {@link #reshape} changes the downstream; the work in flight then ends as it was served.
 *
 * <p>The slots' free times are kept in a binary min-heap: each admission takes the slot that frees first, as a scan of
 * all slots did (which of several equally early slots it is changes nothing, only their times matter), in O(log slots)
 * instead of O(slots); with 300 slots the scan was most of the time of the tests that use this loop.
 */
public final class ClosedLoop {
    private final Limit limit;
    private final PriorityQueue<long[]> completions = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final SplittableRandom random = new SplittableRandom(7);
    /** The slots' free times, a binary min-heap (the earliest at 0). */
    private long[] slotFree;
    private long serviceNanos;
    private long now;
    private int inflight;

    public ClosedLoop(Limit limit, int slots, long serviceNanos) {
        this.limit = limit;
        this.slotFree = new long[slots];
        this.serviceNanos = serviceNanos;
    }

    /** From now on {@code slots} slots, each taking {@code service} nanoseconds (±15%). */
    public void reshape(int slots, long service) {
        slotFree = new long[slots];
        Arrays.fill(slotFree, now);
        serviceNanos = service;
    }

    /** Runs the loop for {@code nanos} of virtual time. */
    public void run(long nanos) {
        long stop = now + nanos;
        admit();
        while (!completions.isEmpty() && completions.peek()[0] <= stop) {
            long[] done = completions.poll();
            now = done[0];
            inflight--;
            limit.onSample(done[1], done[0] - done[1], (int) done[2], false);
            admit();
        }
        now = stop;
    }

    private void admit() {
        while (inflight < limit.limit()) {
            inflight++;
            long end = Math.max(now, slotFree[0]) + (long) (serviceNanos * (0.85 + 0.3 * random.nextDouble()));
            replaceEarliest(end);
            completions.add(new long[] {end, now, inflight});
        }
    }

    /** Replaces the earliest free time (the heap's root) with {@code time}, then sifts it down. */
    private void replaceEarliest(long time) {
        int n = slotFree.length;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && slotFree[child + 1] < slotFree[child]) {
                child++;
            }
            if (slotFree[child] >= time) {
                break;
            }
            slotFree[i] = slotFree[child];
            i = child;
        }
        slotFree[i] = time;
    }
}
