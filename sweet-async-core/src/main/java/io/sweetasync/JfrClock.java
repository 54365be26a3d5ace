package io.sweetasync;

import java.time.Instant;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR's event times on the clock the {@link SliceLedger} times slices with, {@link System#nanoTime()}.
 *
 * <p><b>Why.</b> JFR times an event with its own tick counter and reports it as an {@link Instant}: the wall
 * clock read when its chunk began, plus the ticks since. So an event's instant follows the monotonic clock,
 * not the wall clock: where the wall clock is slewed or stepped (NTP correcting a virtual machine's clock,
 * say), the two part by as much as it was corrected since the chunk began, milliseconds per second with a
 * fast slew, and an event compared with a wall-clock slice falls outside its own task's slice. Slices are
 * timed with {@code System.nanoTime()} instead, and an event's instant is mapped onto that clock.
 *
 * <p><b>How.</b> The stream thread commits a {@link Mark} (an event carrying the {@code nanoTime} read while
 * it was timed) when the stream starts and at every flush. When a mark arrives, JFR's time of it minus its
 * {@code nanoTime} is the offset between the clocks at that moment, within half the event's duration: a mark
 * longer than {@link #MAX_UNCERTAINTY_NANOS} (its thread descheduled) is not used, but for the first
 * until a precise one comes (which starts afresh: a vague mark's error is no drift). The
 * offset's change over {@link #RATE_BASELINE_NANOS} or more gives the rate at which the clocks drift apart
 * (JFR's tick frequency is an estimate on some machines), and an event's time is mapped with the latest
 * offset, extrapolated at that rate. A change too fast to be a drift (over {@link #MAX_RATE}, beyond the marks'
 * own uncertainty: marks of several streams may be microseconds apart) is a jump, a
 * re-anchored chunk: the new offset is taken as it is, and the rate measured afresh. Until the first mark
 * arrives nothing can be mapped ({@link #calibrated()}).
 *
 * <p>Its state is read and written by the stream thread only (a mark may be committed on any thread).
 */
final class JfrClock {

    /** The name of the {@link Mark} event, enabled by the attribution's stream only. */
    static final String MARK = "io.sweetasync.ClockMark";
    /** Faster than this (a fraction: seconds apart per second) the clocks did not drift but jumped. */
    static final double MAX_RATE = 0.02;
    /** A mark whose event took longer than this (its thread was descheduled in it) is too vague to use. */
    static final long MAX_UNCERTAINTY_NANOS = 200_000;
    /** The drift rate is measured between marks at least this far apart (a mark's own error averages out). */
    static final long RATE_BASELINE_NANOS = 5_000_000_000L;
    /** Marks tried before a vague one is committed anyway. */
    private static final int MARK_ATTEMPTS = 5;

    /** An event that ties JFR's clock to {@link System#nanoTime()}: committed by the attribution's stream. */
    @Name(MARK)
    @Label("Sweet Async clock mark")
    @Description("System.nanoTime() when this event began: maps JFR's times onto the monotonic clock Sweet Async "
            + "times task attempts with")
    @Category("Sweet Async")
    @Enabled(false)
    @StackTrace(false)
    static final class Mark extends Event {
        @Label("System.nanoTime()")
        long nanoTime;
    }

    private boolean calibrated;
    /** Whether the clock is calibrated by a vague first mark only: the first precise one then starts afresh. */
    private boolean vague;
    /** JFR's time (epoch nanoseconds) of the latest mark used, and its offset: JFR's time minus nanoTime. */
    private long markTime;
    private long offset;
    /** The mark the drift rate is being measured from. */
    private long baseTime;
    private long baseOffset;
    /** How fast the offset grows per nanosecond of JFR time. */
    private double rate;

    /**
     * Commits a mark; it arrives in the next flush. One whose thread was stopped inside it (descheduled, or at a
     * safepoint for a GC pause) is not committed but tried again, up to {@link #MARK_ATTEMPTS} times: a first mark
     * is used however vague, and the events kept until it arrives are placed with it.
     */
    static void mark() {
        for (int attempt = 1;; attempt++) {
            Mark mark = new Mark();
            long before = System.nanoTime();
            mark.begin();
            mark.nanoTime = System.nanoTime();
            mark.end();
            if (System.nanoTime() - before <= MAX_UNCERTAINTY_NANOS || attempt == MARK_ATTEMPTS) {
                mark.commit();
                return;
            }
        }
    }

    /**
     * A mark that JFR timed from {@code start} to {@code end} (epoch nanoseconds) arrived, {@code nanoTime}
     * read in between. The first is used however vague (nothing can be mapped without one); later ones only
     * when precise, and in order.
     */
    void onMark(long start, long end, long nanoTime) {
        long width = end - start;
        if (calibrated && (width < 0 || width > MAX_UNCERTAINTY_NANOS)) {
            return;
        }
        long time = start + Math.max(width, 0) / 2;
        long newOffset = time - nanoTime;
        if (!calibrated || vague) { // the first mark, or the first precise one after a vague first
            calibrated = true;
            vague = width < 0 || width > MAX_UNCERTAINTY_NANOS;
            rate = 0; // a vague mark's error is no drift: the rate is measured from precise marks only
            restartRate(time, newOffset);
        }
        else if (time <= markTime) {
            return;
        }
        else if (Math.abs(newOffset - offset) > MAX_RATE * (time - markTime) + MAX_UNCERTAINTY_NANOS) {
            rate = 0; // a jump, not a drift: measure the rate afresh
            restartRate(time, newOffset);
        }
        else if (time - baseTime >= RATE_BASELINE_NANOS) {
            rate = (double) (newOffset - baseOffset) / (time - baseTime);
            restartRate(time, newOffset);
        }
        markTime = time;
        offset = newOffset;
    }

    private void restartRate(long time, long newOffset) {
        baseTime = time;
        baseOffset = newOffset;
    }

    /** Whether a mark has arrived, so that times can be mapped. */
    boolean calibrated() {
        return calibrated;
    }

    /** {@code time}, one of JFR's, on the {@link System#nanoTime()} clock; only once {@link #calibrated()}. */
    long nanoTime(Instant time) {
        return nanoTime(SliceTimeline.nanos(time));
    }

    /** As {@link #nanoTime(Instant)}, of JFR's time in epoch nanoseconds. */
    long nanoTime(long time) {
        return time - offset - (long) (rate * (time - markTime));
    }
}
