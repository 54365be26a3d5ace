package io.sweetasync;

import java.util.ArrayList;
import java.util.List;

/**
 * Spans of time in which JFR events of some resources could not be attributed (no thread named, data
 * lost), noted between two flushes and then applied to the slices they overlap (see
 * {@link SliceLedger#settle}). Neighbouring spans of the same resources are merged, and past
 * {@value #MAX} spans everything merges into one: a storm of doubtful events costs memory and time
 * bounded per flush. Used by the stream thread only.
 */
final class Doubts {

    /**
     * Resources (bit per {@link TaskFigures.Resource} ordinal) doubted from {@code from} to {@code to}, on the
     * slices' clock ({@link SliceTimeline#now()}).
     */
    record Doubt(long from, long to, int resources) {
    }

    private static final long COALESCE_NANOS = 50_000_000L;
    private static final int MAX = 256;

    private final List<Doubt> spans = new ArrayList<>();

    void add(long from, long to, int resources) {
        Doubt last = spans.isEmpty() ? null : spans.getLast();
        if (last != null && last.resources() == resources && from - COALESCE_NANOS <= last.to()
                && to + COALESCE_NANOS >= last.from()) {
            spans.set(spans.size() - 1, new Doubt(Math.min(from, last.from()), Math.max(to, last.to()), resources));
        }
        else if (spans.size() < MAX) {
            spans.add(new Doubt(from, to, resources));
        }
        else {
            long earliest = from;
            long latest = to;
            for (Doubt span : spans) {
                earliest = Math.min(earliest, span.from());
                latest = Math.max(latest, span.to());
            }
            spans.clear();
            spans.add(new Doubt(earliest, latest, SampledFigures.allResources()));
        }
    }

    /** The spans noted since the last call. */
    List<Doubt> drain() {
        if (spans.isEmpty()) {
            return List.of();
        }
        List<Doubt> noted = List.copyOf(spans);
        spans.clear();
        return noted;
    }
}
