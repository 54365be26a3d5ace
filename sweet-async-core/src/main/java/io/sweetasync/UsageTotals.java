package io.sweetasync;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of one task name over its attempts: what {@link TaskOrchestrator#resourceUsage()} reports.
 *
 * <p>Invariants: only ever grows; adders, so that tasks of one name on many threads never contend on one
 * counter; figures in {@link TaskFigures.Resource} order (CPU, allocated, read, written).
 */
final class UsageTotals {
    /** Added to by every attempt's thread, fresh virtual threads mostly: see {@link StripedCounter}. */
    private final StripedCounter attempts = new StripedCounter();
    private final LongAdder[] figures = {
            new LongAdder(), new LongAdder(),
            new LongAdder(), new LongAdder() };

    void attempt() {
        attempts.increment();
    }

    void addMeasured(long cpu, long allocated) {
        if (cpu > 0) {
            figures[0].add(cpu);
        }
        if (allocated > 0) {
            figures[1].add(allocated);
        }
    }

    void addSampled(TaskFigures.Resource resource, long amount) {
        figures[resource.ordinal()].add(amount);
    }

    ResourceUsage snapshot(String name) {
        return new ResourceUsage(name, attempts.sum(), figures[0].sum(), figures[1].sum(), figures[2].sum(),
                figures[3].sum());
    }
}
