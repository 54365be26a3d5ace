package io.sweetasync;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resource totals per task name ({@link TaskOrchestrator#resourceUsage()}): one {@link UsageTotals} per
 * name, made on first use.
 *
 * <p>Invariants: bounded, whatever names tasks are given: once {@value #MAX_NAMES} names have totals, new
 * names share one bucket, {@value #OTHER} (racing first uses may add a few names beyond the bound, never
 * without limit); an entry is never removed or replaced, so totals only grow. Thread-safe; a known name
 * costs one map read.
 */
final class UsageByName {

    static final int MAX_NAMES = 1000;
    static final String OTHER = "(other)";

    private final ConcurrentHashMap<String, UsageTotals> totals = new ConcurrentHashMap<>();

    /** The totals of a task name, or of {@value #OTHER} once the bound is reached. */
    UsageTotals of(String name) {
        UsageTotals known = totals.get(name);
        if (known != null) {
            return known;
        }
        String key = totals.size() >= MAX_NAMES ? OTHER : name;
        return totals.computeIfAbsent(key, ignored -> new UsageTotals());
    }

    /** One name's totals now; empty if no task of that name has ended (or it counts under {@value #OTHER}). */
    Optional<ResourceUsage> snapshot(String name) {
        UsageTotals known = totals.get(name);
        return known == null ? Optional.empty() : Optional.of(known.snapshot(name));
    }

    /** Every name's totals now, by name. */
    List<ResourceUsage> snapshots() {
        return totals.entrySet().stream().map(entry -> entry.getValue().snapshot(entry.getKey()))
                .sorted(Comparator.comparing(ResourceUsage::name)).toList();
    }
}
