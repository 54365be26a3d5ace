package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SliceTimeline.Slice;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the orchestrator stops the ledger (every pending figure ends {@code UNAVAILABLE}) while the stream
 * thread may still be settling a flush: a figure that flush made final ({@code SAMPLED}, and possibly announced
 * so) must stay as it is. "Figures only move from pending to final" ({@link SampledFigures}).
 *
 * <p>The interleaving is forced, not hoped for: {@link SampledFigures#distrust} is synchronized on the figures,
 * so holding their monitor stops {@link SliceLedger#stop} just after it found the slice unsettled and before it
 * distrusts it; the flush's settle then runs, and the figure is read before and after stop goes on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review14ResStopRaceTest {

    private static final long FAR = Long.MAX_VALUE - 1;

    @Test
    void aFigureMadeFinalByAFlushStaysFinalWhenTheLedgerStopsMeanwhile() throws Exception {
        SliceLedger ledger = new SliceLedger(new FigureUpdates(nodes -> {
        }));
        SampledFigures figures = new SampledFigures(null, new UsageTotals(), true);
        Slice slice = ledger.open(4242L, figures, false, false);
        figures.add(TaskFigures.Resource.READ, 1234);
        slice.stop(); // closed, not settled yet: the next flush settles it

        ResourceValue seenWhileStopping;
        Thread stopper;
        Thread flush;
        synchronized (figures) {
            stopper = Thread.ofPlatform().name("review14-close").start(ledger::stop);
            awaitState(() -> stopper.getState() == Thread.State.BLOCKED
                    || stopper.getState() == Thread.State.TERMINATED);
            flush = Thread.ofPlatform().name("review14-flush").start(() -> ledger.settle(FAR, List.of(), FAR));
            // the flush either settles now, or waits for the stop to finish (then the figure is not final yet)
            awaitState(() -> flush.getState() == Thread.State.TERMINATED || flush.getState() == Thread.State.WAITING
                    || flush.getState() == Thread.State.BLOCKED);
            seenWhileStopping = figures.value(TaskFigures.Resource.READ);
        }
        stopper.join(TimeUnit.SECONDS.toMillis(30));
        flush.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(stopper.isAlive()).isFalse();
        assertThat(flush.isAlive()).isFalse();

        ResourceValue after = figures.value(TaskFigures.Resource.READ);
        assertThat(after.isPending()).isFalse();
        if (!seenWhileStopping.isPending()) {
            assertThat(after).as("a final figure (read while the ledger was stopping) changed afterwards")
                    .isEqualTo(seenWhileStopping);
        }
    }

    private static void awaitState(BooleanSupplier reached) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!reached.getAsBoolean()) {
            assertThat(System.nanoTime()).as("thread state not reached in 30 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
