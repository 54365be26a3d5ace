package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SliceTimeline.Slice;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CPU sample's {@code samplingPeriod} is the sampler's period times one plus the overruns of the thread's timer
 * (the CPU time since that thread's previous sample; HotSpot's {@code JfrCPUTimeThreadSampler::handle_timer_signal}),
 * so on a loaded machine some samples at 10 ms carry 20 to 60 ms (a run of SampledResourcesTest: 447 samples of
 * 10 ms, 24 of 20, 4 of 30, one of 60). Lost samples were valued at the latest sample's period, of any thread: after
 * one of 60 ms, each lost sample counted six samples, and a virtual thread's 300 ms of CPU with a few lost samples
 * could read far above its samples, beyond what SampledResourcesTest allows for lost ones (the likely cause of CI's
 * about 480 ms for 300: three lost samples after one of 60 ms, or six after one of 30, make it).
 */
class LostSamplesAfterOverrunTest {

    private static final long OFFSET = 1_700_000_000_000_000_000L;
    private static final long THREAD = 4444;
    private static final long OTHER = 4445;
    private static final long MS = 1_000_000;

    private final RecordingStream stream = new RecordingStream();
    private final ResourceAttribution attribution = new ResourceAttribution(stream, true, new FigureUpdates(nodes -> {
    }));

    @AfterEach
    void close() {
        stream.close();
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
