package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SliceTimeline.Slice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ledger keeps a thread's only slice without a timeline, makes one when a second slice opens while the
 * first is kept, and forgets both kinds once settled: no slice is lost while open (an event in it would go
 * unattributed) and none is kept after it is settled and past the late window (each keeps its task).
 */
class SliceLedgerTest {

    private static final long FAR = Long.MAX_VALUE - 1;

    private final SliceLedger ledger = new SliceLedger(new FigureUpdates(nodes -> {
    }));

    private Slice open() {
        return ledger.open(new SampledFigures(null, new UsageTotals(), true), false, false);
    }

    /** A time on the slices' clock (they are compared as they are). */
    private static long at(long nanos) {
        return nanos;
    }

    @Test
    void nestedSlicesOnOneThreadAreFoundInnermostFirstAndForgottenOnceSettled() throws Exception {
        long thread = Thread.currentThread().threadId();
        Slice outer = open();
        TimeUnit.MILLISECONDS.sleep(2);
        Slice first = open(); // the thread's second slice: its entry becomes a timeline
        TimeUnit.MILLISECONDS.sleep(2);
        first.stop();
        TimeUnit.MILLISECONDS.sleep(2);
        long between = SliceTimeline.now();
        TimeUnit.MILLISECONDS.sleep(2);
        Slice second = open();
        TimeUnit.MILLISECONDS.sleep(2);
        second.stop();
        TimeUnit.MILLISECONDS.sleep(2);
        outer.stop();
        TimeUnit.MILLISECONDS.sleep(2);
        long after = SliceTimeline.now();

        assertThat(ledger.find(thread, at(outer.start))).isSameAs(outer);
        assertThat(ledger.find(thread, at(first.start))).isSameAs(first);
        assertThat(ledger.find(thread, at(first.end))).isSameAs(first);
        assertThat(ledger.find(thread, at(between))).isSameAs(outer);
        assertThat(ledger.find(thread, at(second.start))).isSameAs(second);
        assertThat(ledger.find(thread, at(after))).isNull();
        assertThat(ledger.find(thread, at(outer.start - 1))).isNull();

        ledger.settle(FAR, List.of(), FAR);
        assertThat(ledger.threadsKept()).isZero();
        assertThat(List.of(outer, first, second)).allMatch(slice -> slice.settled && !slice.figures.isPending());
    }

    @Test
    void aThreadsOnlySliceIsFoundWithinItsTimesAndForgottenOnceSettled() throws Exception {
        long thread = Thread.currentThread().threadId();
        Slice only = open();
        assertThat(ledger.find(thread, at(only.start))).isSameAs(only);
        assertThat(ledger.find(thread, at(Long.MAX_VALUE - 1))).as("an open slice contains every later time")
                .isSameAs(only);
        only.stop();
        assertThat(ledger.find(thread, at(only.end))).isSameAs(only);
        assertThat(ledger.find(thread, at(only.end + 1))).isNull();
        assertThat(ledger.find(thread + 1_000_000, at(only.start))).isNull();
        assertThat(ledger.threadsKept()).isOne();

        ledger.settle(at(only.end + 1), List.of(), at(only.end)); // settled, kept for late events
        assertThat(only.settled).isTrue();
        assertThat(ledger.find(thread, at(only.start))).as("kept while late events may come").isSameAs(only);
        ledger.settle(at(only.end + 1), List.of(), at(only.end + 1));
        assertThat(ledger.threadsKept()).isZero();
        assertThat(ledger.find(thread, at(only.start))).isNull();
    }

    /**
     * Threads open and close slices (one each, as virtual runtime threads, and many each, as pool threads)
     * while the stream settles and prunes up to now: every open slice is found by its thread at its start
     * (a slice lost to a prune racing with its timeline's making would not be), and once all settle nothing
     * is kept.
     */
    @Test
    @Timeout(120)
    void slicesOpeningWhilePruningRunsAreNeverLostAndAllAreForgottenAtTheEnd() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<String> lost = new CopyOnWriteArrayList<>();
        Thread stream = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                long now = SliceTimeline.now();
                ledger.settle(now, List.of(), now);
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                long id = Thread.currentThread().threadId();
                for (int i = 0; i < 20_000; i++) {
                    Slice outer = open();
                    Slice inner = i % 3 == 0 ? open() : null;
                    if (ledger.find(id, at(outer.start)) == null) {
                        lost.add("slice " + i + " of pool thread " + id);
                    }
                    if (inner != null) {
                        if (ledger.find(id, at(inner.start)) != inner) {
                            lost.add("nested slice " + i + " of pool thread " + id);
                        }
                        inner.stop();
                    }
                    outer.stop();
                }
            }));
        }
        for (int v = 0; v < 20_000; v++) {
            threads.add(Thread.ofVirtual().start(() -> {
                Slice only = open();
                if (ledger.find(Thread.currentThread().threadId(), at(only.start)) != only) {
                    lost.add("slice of virtual thread " + Thread.currentThread().threadId());
                }
                only.stop();
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        stop.set(true);
        stream.join();
        assertThat(lost).isEmpty();
        ledger.settle(FAR, List.of(), FAR);
        assertThat(ledger.threadsKept()).isZero();
    }
}
