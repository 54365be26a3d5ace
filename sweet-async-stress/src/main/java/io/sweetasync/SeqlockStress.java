package io.sweetasync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.ZJJ_Result;

/**
 * {@link Seqlock}, the pair reads of a task's run time and queue wait ({@link TaskFigures}): a reader never
 * sees a pair half rewritten, and writers that race for one claim take turns, so exactly one makes it.
 */
public class SeqlockStress {

    private SeqlockStress() {
    }

    /** A pair and its count, as {@link TaskFigures} keeps them. */
    abstract static class Pair {

        static final VarHandle WRITES = TaskFacts.fieldHandle(MethodHandles.lookup(), "writes", int.class);

        @SuppressWarnings("unused") // through WRITES
        volatile int writes;
    }

    /**
     * The run time's shape: one writer moves an amount from one field of the pair to the other in two sections
     * (10 + 0, 5 + 5, 0 + 10: the sum is always 10) while a reader reads the pair.
     */
    @JCStressTest
    @Outcome(id = "10, 0", expect = ACCEPTABLE, desc = "read before the first section")
    @Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "read between the sections")
    @Outcome(id = "0, 10", expect = ACCEPTABLE, desc = "read after the second section")
    @Outcome(expect = FORBIDDEN, desc = "a torn pair: one field from inside a section")
    @State
    public static class OneWriter extends Pair {

        volatile long from = 10;
        volatile long to;

        @Actor
        public void writer() {
            for (int left = 5; left >= 0; left -= 5) {
                int section = Seqlock.beginWrite(WRITES, this);
                from = left;
                to = 10 - left;
                Seqlock.endWrite(WRITES, this, section);
            }
        }

        @Actor
        public void reader(JJ_Result r) {
            long both = Seqlock.read(WRITES, this, 0, OneWriter::pair);
            r.r1 = both / 100;
            r.r2 = both % 100;
        }

        /** The pair in one number: {@code from * 100 + to}. */
        private static long pair(OneWriter pair, long unused) {
            return pair.from * 100 + pair.to;
        }
    }

    /**
     * The queue wait's shape: two threads end one wait at once (its attempt's runner and a finisher); each
     * claims it and adds it in a section, and the finisher reads the pair first. The wait is added once, and
     * the reading shows it either still waiting or added, never in neither nor in both.
     */
    @JCStressTest
    @Outcome(id = "true, 0, 10", expect = ACCEPTABLE, desc = "read before the runner's end; added once")
    @Outcome(id = "false, 10, 10", expect = ACCEPTABLE, desc = "read after the runner's end; added once")
    @Outcome(expect = FORBIDDEN, desc = "a torn pair (waiting and added, or neither), or the wait added twice")
    @State
    public static class TwoWriters extends Pair {

        volatile boolean waiting = true;
        volatile long waited;

        private void endWait() {
            if (!waiting) {
                return;
            }
            int section = Seqlock.beginWrite(WRITES, this);
            if (waiting) {
                waiting = false;
                waited = waited + 10;
            }
            Seqlock.endWrite(WRITES, this, section);
        }

        @Actor
        public void runner() {
            endWait();
        }

        @Actor
        public void finisher(ZJJ_Result r) {
            long both = Seqlock.read(WRITES, this, 0, TwoWriters::pair);
            r.r1 = both >= 100;
            r.r2 = both % 100;
            endWait();
        }

        /** The pair in one number: 100 while waiting, plus the time added. */
        private static long pair(TwoWriters pair, long unused) {
            return (pair.waiting ? 100 : 0) + pair.waited;
        }

        @Arbiter
        public void arbiter(ZJJ_Result r) {
            r.r3 = waited;
        }
    }
}
