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
 *
 * <p>Nor at the latest sample's period ({@link #aLostSampleIsValuedAtWhatSamplesStandForNotAtTheLatestSamplesOverruns}):
 * a sample's {@code samplingPeriod} is the sampler's period times one plus the overruns of the thread's timer (the CPU
 * time since that thread's previous sample; HotSpot's {@code JfrCPUTimeThreadSampler::handle_timer_signal}), so on a
 * loaded machine some samples at 10 ms carry 20 to 60 ms (a run of SampledResourcesTest: 447 samples of 10 ms, 24 of
 * 20, 4 of 30, one of 60). Valued at the latest sample's period, of any thread: after one of 60 ms, each lost sample
 * counted six samples, and a virtual thread's 300 ms of CPU with a few lost samples could read far above its samples,
 * beyond what SampledResourcesTest allows for lost ones (the likely cause of CI's about 480 ms for 300: three lost
 * samples after one of 60 ms, or six after one of 30, make it).
 */
class Review16ResLostSamplesTest {

    private static final long OFFSET = 1_700_000_000_000_000_000L;
    private static final long THREAD = 4343;
    private static final long OTHER = 4344;
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

    @Test
    void aLostSampleIsValuedAtWhatSamplesStandForNotAtTheLatestSamplesOverruns() {
        long now = System.nanoTime();
        attribution.onMark(OFFSET + now, OFFSET + now + 2_000, now + 1_000);
        SampledFigures figures = new SampledFigures(null, new UsageTotals(), true);
        Slice slice = attribution.ledger().open(THREAD, figures, false, false);
        long at = OFFSET + slice.start + 1_000;
        for (int i = 0; i < 30; i++) {
            attribution.take(ResourceAttribution.Kind.CPU_SAMPLE, THREAD, at + i, 10 * MS);
        }
        // Another thread's sample whose timer overran five times (no slice: it counts for no task here).
        attribution.take(ResourceAttribution.Kind.CPU_SAMPLE, OTHER, at + 30, 60 * MS);
        attribution.take(ResourceAttribution.Kind.CPU_SAMPLES_LOST, THREAD, at + 31, 6);

        long value = figures.value(TaskFigures.Resource.CPU).amount();
        assertThat(value).as("30 samples of 10 ms and 6 lost ones, which stand for about 10 ms each, not 60: "
                + figures).isBetween(360 * MS, 370 * MS);
        assertThat(value - figures.lostCpuSamples() * ResourceAttribution.CPU_PERIOD.toNanos())
                .as("without its lost samples, as SampledResourcesTest reads it: its own 300 ms").isLessThan(310 * MS);
    }
}
