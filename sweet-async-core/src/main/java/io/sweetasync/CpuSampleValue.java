package io.sweetasync;

import java.util.Arrays;

/**
 * What one CPU-time sample stands for lately: the mean {@code samplingPeriod} of the last {@link #WINDOW} samples, of
 * any thread, which the samples the sampler lost ({@code jdk.CPUTimeSamplesLost}) are valued at.
 *
 * <p>A sample's {@code samplingPeriod} is not the sampler's period: it is that period times one plus the overruns of
 * its thread's timer, the CPU time since the thread's previous sample when the timer expired more than once before
 * its signal was handled (HotSpot's {@code JfrCPUTimeThreadSampler::handle_timer_signal}). On a loaded machine a few
 * samples in a hundred at 10 ms carry 20 to 60 ms (a run of the resource tests: 447 samples of 10 ms, 24 of 20, 4 of
 * 30, one of 60), and beside another recording at 1 ms most carry the kernel's tick, 4 ms. A lost sample is one such
 * signal, its overruns unknown: the mean is what it stands for on average. (The latest sample's period, used before,
 * valued every lost sample at whatever overruns that one sample carried: six times its worth after one of 60 ms.)
 *
 * <p>Invariant: {@code sum} is the sum of {@code recent}, the last {@link #WINDOW} periods (at first the period the
 * stream asks for). Used by the stream thread only.
 */
final class CpuSampleValue {

    /** Samples the mean is taken over: a fraction of a second of samples, long enough to smooth out overruns. */
    static final int WINDOW = 64;

    private final long[] recent = new long[WINDOW];
    private int next;
    private long sum;

    CpuSampleValue(long periodNanos) {
        Arrays.fill(recent, periodNanos);
        sum = periodNanos * WINDOW;
    }

    /** A CPU sample arrived, standing for {@code periodNanos} (its {@code samplingPeriod}). */
    void sampled(long periodNanos) {
        sum += periodNanos - recent[next];
        recent[next] = periodNanos;
        next = (next + 1) % WINDOW;
    }

    /** What a sample stands for lately, in nanoseconds. */
    long nanos() {
        return sum / WINDOW;
    }
}
