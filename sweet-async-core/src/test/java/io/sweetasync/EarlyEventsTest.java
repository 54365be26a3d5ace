package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SliceTimeline.Slice;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events that arrive before the stream's first clock mark cannot be placed (JFR's times are not yet tied to the
 * slices' clock): they are kept and placed once it arrives, with its offset, not lost nor placed with none. (In a
 * real stream the first flush brings the mark and the first events in an order of its own; here they are fed in
 * the order that needs the keeping.)
 */
class EarlyEventsTest {

    /** JFR's clock ahead of nanoTime by this: epoch nanoseconds against a boot-relative count. */
    private static final long OFFSET = 1_700_000_000_000_000_000L;
    private static final long THREAD = 4242;

    private final RecordingStream stream = new RecordingStream();
    private final ResourceAttribution attribution = new ResourceAttribution(stream, false, new FigureUpdates(nodes -> {
    }));

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void anEventBeforeTheFirstMarkIsPlacedWithItsOffsetOnceItComes() {
        SampledFigures figures = new SampledFigures(null, new UsageTotals(), true);
        Slice slice = attribution.ledger().open(THREAD, figures, false, false);
        attribution.take(ResourceAttribution.Kind.READ, THREAD, OFFSET + slice.start + 1_000, 4096);
        attribution.take(ResourceAttribution.Kind.READ, THREAD + 1, OFFSET + slice.start + 1_000, 512); // no slice
        assertThat(figures.value(TaskFigures.Resource.READ)).as("kept, not placed").isEqualTo(ResourceValue.pending(0));

        long now = System.nanoTime();
        attribution.onMark(OFFSET + now, OFFSET + now + 2_000, now + 1_000);
        assertThat(figures.value(TaskFigures.Resource.READ)).as("placed with the mark's offset")
                .isEqualTo(ResourceValue.pending(4096));

        attribution.take(ResourceAttribution.Kind.WRITTEN, THREAD, OFFSET + slice.start + 2_000, 100);
        attribution.onMark(OFFSET + now + 1_000_000_000L, OFFSET + now + 1_000_002_000L, now + 1_000_001_000L);
        attribution.take(ResourceAttribution.Kind.READ, THREAD, OFFSET + slice.start + 3_000, 4);
        assertThat(figures.value(TaskFigures.Resource.READ)).as("later events placed at once, none twice")
                .isEqualTo(ResourceValue.pending(4100));
        assertThat(figures.value(TaskFigures.Resource.WRITTEN)).isEqualTo(ResourceValue.pending(100));
    }
}
