package io.sweetasync.limit;

import java.time.Duration;

/**
 * The latency figures of a {@link LimiterSnapshot}, whatever the algorithm: the lowest of the last 500 to
 * 1000 samples, and exponential averages over about 10 and about 500 samples. Not thread-safe: its
 * limiter records under its lock.
 */
final class LatencyFigures {

    private double shortRtt;
    private double longRtt;
    private long windowMin = Long.MAX_VALUE;
    private long previousWindowMin = Long.MAX_VALUE;
    private int windowSamples;

    void record(long rtt) {
        shortRtt = shortRtt == 0 ? rtt : shortRtt + (rtt - shortRtt) * (2.0 / 11);
        longRtt = longRtt == 0 ? rtt : longRtt + (rtt - longRtt) * (2.0 / 501);
        windowMin = Math.min(windowMin, rtt);
        if (++windowSamples == 500) {
            previousWindowMin = windowMin;
            windowMin = Long.MAX_VALUE;
            windowSamples = 0;
        }
    }

    /** Zero before any sample. */
    Duration noLoad() {
        long lowest = Math.min(windowMin, previousWindowMin);
        return Duration.ofNanos(lowest == Long.MAX_VALUE ? 0 : lowest);
    }

    Duration shortAverage() {
        return Duration.ofNanos((long) shortRtt);
    }

    Duration longAverage() {
        return Duration.ofNanos((long) longRtt);
    }
}
