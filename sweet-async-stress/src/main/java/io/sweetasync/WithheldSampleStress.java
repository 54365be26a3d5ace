package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sweetasync.SliceTimeline.Slice;
import io.sweetasync.TaskFigures.Resource;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The stream thread attributes two CPU samples (1 and 10 ns) to a slice whose thread counters measured it
 * from its start (so they are withheld from the name's totals), as {@code ResourceAttribution} does, while
 * the attempt's thread ends it unmeasured after all (its counter switched off: what was withheld goes to the
 * totals, and what comes later goes there directly). Each sample must reach the totals exactly once, whichever
 * comes first, and once released nothing is withheld again.
 *
 * <p>r1: which samples were withheld (bit 0 the first, bit 1 the second); r2: the name's CPU total.
 */
@JCStressTest
@Outcome(id = "0, 11", expect = ACCEPTABLE, desc = "released first: both samples added directly")
@Outcome(id = "1, 11", expect = ACCEPTABLE, desc = "the first withheld then released, the second added directly")
@Outcome(id = "3, 11", expect = ACCEPTABLE, desc = "both withheld, then released together")
@Outcome(expect = FORBIDDEN, desc = "a sample lost from the totals or counted there twice, or withheld after the release")
@State
public class WithheldSampleStress {

    private static final long THREAD = 1L << 40;

    private final UsageTotals totals = new UsageTotals();
    private final SampledFigures figures = new SampledFigures(null, totals, true);
    private final Slice slice = new SliceLedger(new FigureUpdates(nodes -> {
    })).open(THREAD, figures, true, true);
    private int withheld;

    @Actor
    public void stream() {
        boolean first = slice.withhold(Resource.CPU, 1);
        figures.addCpuSample(1, first);
        boolean second = slice.withhold(Resource.CPU, 10);
        figures.addCpuSample(10, second);
        withheld = (first ? 1 : 0) | (second ? 2 : 0);
    }

    @Actor
    public void attempt() {
        slice.endedUnmeasured(Resource.CPU);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = withheld;
        r.r2 = (int) totals.snapshot("t").cpuNanos();
    }
}
