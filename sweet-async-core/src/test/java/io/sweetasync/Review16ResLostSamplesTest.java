package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SliceTimeline.Slice;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CPU samples lost by the sampler ({@code jdk.CPUTimeSamplesLost}) stand for the CPU time a sample stands for. That
 * is about the sampling period, which each sample carries ({@code samplingPeriod}, with its timer's overruns: see
 * {@link CpuSampleValue}): 10 ms as this stream asks, but JFR
 * runs one sampler for all recordings, at the fastest rate any asks for, so another recording in the process (a
 * profiler's, {@code jcmd JFR.start}) makes it shorter (with one at 1 ms, 71 samples of a 400 ms task came to
 * 410 ms). Lost samples were valued at 10 ms each all the same: a task's 100 samples of 1 ms and 20 lost ones read
 * 300 ms, not about 120.
 */
class Review16ResLostSamplesTest {

    private static final long OFFSET = 1_700_000_000_000_000_000L;
    private static final long THREAD = 4343;
    private static final long MS = 1_000_000;

    private final RecordingStream stream = new RecordingStream();
    private final ResourceAttribution attribution = new ResourceAttribution(stream, true, new FigureUpdates(nodes -> {
    }));

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void lostSamplesAreValuedAtThePeriodOfTheSamplesThatArrive() {
        long now = System.nanoTime();
        attribution.onMark(OFFSET + now, OFFSET + now + 2_000, now + 1_000);
        SampledFigures figures = new SampledFigures(null, new UsageTotals(), true);
        Slice slice = attribution.ledger().open(THREAD, figures, false, false);
        for (int i = 0; i < 100; i++) {
            attribution.take(ResourceAttribution.Kind.CPU_SAMPLE, THREAD, OFFSET + slice.start + 1_000 + i, MS);
        }
        attribution.take(ResourceAttribution.Kind.CPU_SAMPLES_LOST, THREAD, OFFSET + slice.start + 2_000, 20);
        assertThat(figures.value(TaskFigures.Resource.CPU)).as("100 samples and 20 lost, of 1 ms each")
                .isEqualTo(ResourceValue.pending(120 * MS));
    }
}
