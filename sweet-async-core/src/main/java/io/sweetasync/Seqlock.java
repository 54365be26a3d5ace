package io.sweetasync;

import java.lang.invoke.VarHandle;

/**
 * A sequence count that lets readers read a pair of fields as one (a sum and the part still running, say)
 * while another thread rewrites both, without a lock and without an object of its own: the count is an
 * {@code int} field of the pair's owner, reached through its {@link VarHandle}. {@link TaskFigures} keeps two,
 * one for its run time, one for its queue wait.
 *
 * <pre>{@code
 * // the writer
 * int section = Seqlock.beginWrite(COUNT, this);
 * sum += now - start;
 * start = 0;
 * Seqlock.endWrite(COUNT, this, section);
 * // a reader, on any thread
 * long total = Seqlock.read(COUNT, this, now, Owner::total);
 * private static long total(Owner owner, long now) {
 *     return owner.sum + (owner.start == 0 ? 0 : now - owner.start);
 * }
 * }</pre>
 *
 * <p>Invariants: the count is even when no write section is open, odd while one is; it only grows, by 1 as a
 * section begins (a compare-and-set from even, so that writers take turns: a pair may have several writers,
 * as the queue wait has) and by 1 as it ends (a write by the section's owner, the one writer then). Every
 * write that leaves the pair inconsistent until another write follows is inside a section. A write outside
 * one changes one field while the others stay as they are, so that a reader mixing it with them still reads
 * a state the pair had (a running part set while the sum stays as it is), or a field readers ignore until a
 * later write says to read it (and read that one first).
 *
 * <p>Why a reader's pair is whole: every access to the count is volatile, and so must be every access to the
 * pair's fields (their owner declares them {@code volatile}). Volatile accesses are synchronization actions:
 * one total order, consistent with each thread's program order, in which each volatile read sees the last
 * write before it. A reader that reads the count as the same even value before and after reading the fields
 * saw no write of the count between the two reads in that order (it only grows: the same value means none,
 * barring 2<sup>32</sup> sections in between); even, so no section was open at the first read, and none
 * began before the second. Each field read between them therefore sees the write of the last section closed
 * before the first count read, or a later write outside any section: the pair as that section left it, but
 * for such lone writes, which leave it consistent as said above. A reader that sees an odd count, or a
 * changed one, reads again. A section is a few writes: a reader or a
 * second writer spins only while one is open (longer only if the writer's thread is descheduled in it).
 */
final class Seqlock {

    private Seqlock() {
    }

    /**
     * Opens a write section of the pair {@code count} (an {@code int} field of {@code owner}) guards, once no
     * other is open; returns the section's (odd) count, for {@link #endWrite}.
     */
    static int beginWrite(VarHandle count, Object owner) {
        while (true) {
            int seen = (int) count.getVolatile(owner);
            if ((seen & 1) == 0 && count.compareAndSet(owner, seen, seen + 1)) {
                return seen + 1;
            }
            Thread.onSpinWait(); // another writer's section is open: a few writes away
        }
    }

    /** Closes the section {@link #beginWrite} opened: the pair is consistent again. */
    static void endWrite(VarHandle count, Object owner, int section) {
        count.setVolatile(owner, section + 1);
    }

    /**
     * What {@code reading} makes of the pair {@code count} guards, read whole: read again until no write section
     * was open during the reading. {@code reading} only reads the pair (it may run more than once); a method
     * reference to a static method (no captured value) costs no allocation.
     */
    static <O> long read(VarHandle count, O owner, long now, Reading<O> reading) {
        while (true) {
            int seen = (int) count.getVolatile(owner);
            if ((seen & 1) == 0) {
                long value = reading.read(owner, now);
                if ((int) count.getVolatile(owner) == seen) {
                    return value;
                }
            }
            Thread.onSpinWait(); // a section is (or was) open: a few writes away
        }
    }

    /** A value computed from a pair's fields (of {@code owner}) and a time. */
    @FunctionalInterface
    interface Reading<O> {

        long read(O owner, long now);
    }
}
