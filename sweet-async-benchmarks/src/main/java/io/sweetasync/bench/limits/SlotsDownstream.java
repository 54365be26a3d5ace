package io.sweetasync.bench.limits;

import java.util.ArrayDeque;

/**
 * {@code N} parallel slots with an unbounded FIFO queue in front, then a pure delay {@code d} on the
 * way back (a network hop: it takes time but no capacity). Full throughput {@code N / S} is reached at
 * concurrency {@code N · (S + d) / S}, {@code S} the mean service time.
 */
final class SlotsDownstream extends Downstream {

    private static final long SERVED = 0;
    private static final long DELIVERED = 1;

    private final Profile slotsProfile;
    private final Profile delayProfile;
    private final double meanService;
    private final ArrayDeque<long[]> queue = new ArrayDeque<>();
    private int slots;
    private long delayNanos;
    private int busy;

    SlotsDownstream(Host host, Profile slots, Profile delaySeconds, double meanService) {
        super(host);
        this.slotsProfile = slots;
        this.delayProfile = delaySeconds;
        this.meanService = meanService;
        retune(0);
    }

    @Override
    void enter(int id, long workNanos) {
        if (busy < slots) {
            busy++;
            host.schedule(host.now() + workNanos, id, SERVED);
        }
        else {
            queue.add(new long[] { id, workNanos });
        }
    }

    @Override
    void onEvent(int id, long tag) {
        if (tag == DELIVERED) {
            host.left(id);
            return;
        }
        busy--;
        startWhileFree();
        if (delayNanos > 0) {
            host.schedule(host.now() + delayNanos, id, DELIVERED);
        }
        else {
            host.left(id);
        }
    }

    private void startWhileFree() {
        while (busy < slots && !queue.isEmpty()) {
            long[] next = queue.poll();
            busy++;
            host.schedule(host.now() + next[1], (int) next[0], SERVED);
        }
    }

    @Override
    void retune(double seconds) {
        slots = (int) slotsProfile.at(seconds);
        delayNanos = (long) (delayProfile.at(seconds) * 1e9);
        startWhileFree();
    }

    @Override
    double idealLimit() {
        return slots * (meanService + delayNanos / 1e9) / meanService;
    }

    @Override
    boolean hasSpare() {
        return busy < slots;
    }
}
