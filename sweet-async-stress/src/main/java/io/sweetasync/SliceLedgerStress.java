package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sweetasync.SliceTimeline.Slice;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A thread opens its second slice while the stream prunes its first (settled, kept alone, without a
 * timeline): the new slice must be found at its start whichever comes first (the first slice's entry
 * becomes a timeline of both, then pruned to the new one; or it leaves the ledger, then the new one enters
 * alone), and the pruned one must not.
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the new slice is kept, the settled one forgotten")
@Outcome(expect = FORBIDDEN, desc = "the new slice was lost (its events unattributed), or the old one kept")
@State
public class SliceLedgerStress {

    private static final long THREAD = 1L << 40;
    /** Later than any slice's end (times are System.nanoTime()'s). */
    private static final long FAR = Long.MAX_VALUE - 1;

    private final SliceLedger ledger = new SliceLedger(new FigureUpdates(nodes -> {
    }));
    private final Slice first;
    private Slice second;

    public SliceLedgerStress() {
        first = ledger.open(THREAD, figures(), false, false);
        first.stop();
        ledger.settle(FAR, List.of(), Long.MIN_VALUE); // settled, kept for late events
    }

    private static SampledFigures figures() {
        return new SampledFigures(null, new UsageTotals(), false);
    }

    @Actor
    public void thread() {
        second = ledger.open(THREAD, figures(), false, false);
    }

    @Actor
    public void stream() {
        ledger.settle(FAR, List.of(), FAR); // prunes the first (the second is open)
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = ledger.find(THREAD, second.start) == second ? 1 : 0;
        r.r2 = ledger.find(THREAD, first.start) == first ? 1 : 0;
    }
}
