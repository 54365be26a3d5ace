package io.sweetasync;

import java.time.Instant;
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

    /** Resources (bit per {@link TaskFigures.Resource} ordinal) doubted from {@code from} to {@code to}. */
    record Doubt(Instant from, Instant to, int resources) {
    }

    private static final long COALESCE_NANOS = 50_000_000L;
    private static final int MAX = 256;

    private final List<Doubt> spans = new ArrayList<>();

    void add(Instant from, Instant to, int resources) {
        Doubt last = spans.isEmpty() ? null : spans.getLast();
        if (last != null && last.resources() == resources && !from.isAfter(last.to().plusNanos(COALESCE_NANOS))
                && !to.isBefore(last.from().minusNanos(COALESCE_NANOS))) {
            spans.set(spans.size() - 1, new Doubt(min(from, last.from()), max(to, last.to()), resources));
        }
        else if (spans.size() < MAX) {
            spans.add(new Doubt(from, to, resources));
        }
        else {
            Instant earliest = from;
            Instant latest = to;
            for (Doubt span : spans) {
                earliest = min(earliest, span.from());
                latest = max(latest, span.to());
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

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
