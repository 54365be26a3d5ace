package io.sweetasync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A sum that many threads add to and few read, like {@link java.util.concurrent.atomic.LongAdder}, but
 * spread by the adding thread's id rather than by its random probe: a virtual thread starts with a probe of
 * zero, so every fresh one (each child of a fan-out, each submitted task) adds to the adder's first cell,
 * and its line moves between the cores on every add (profiled: a fifth of a 10,000-child fan-out's time was
 * in three adders' adds). Virtual threads' ids are consecutive, so consecutive tasks add to different cells;
 * a platform thread keeps its cell, as with a probe.
 *
 * <p>Starts as one field (no cells: a counter nobody contends costs eight bytes); the first failed update of
 * that field makes the cells, a fixed power of two of them (four per core, at least four, at most 64), each
 * on its own 128 bytes (two lines: adjacent-line prefetch does not make neighbours share).
 *
 * <p>Invariants: the sum is the base plus every cell; {@link #add} changes exactly one of them, atomically;
 * the cells, once made, are never replaced (a race to make them publishes one array by a CAS, the loser adds
 * to it). {@link #sum} reads the base and the cells one after the other: exact when no add runs meanwhile,
 * as {@link java.util.concurrent.atomic.LongAdder#sum()}.
 *
 * <pre>{@code
 * StripedCounter live = new StripedCounter();
 * live.add(1);   // a task starts
 * live.add(-1);  // it ends
 * long now = live.sum();
 * }</pre>
 */
final class StripedCounter {

    /** Longs per cell: 128 bytes. */
    private static final int SPREAD = 16;
    private static final int CELLS = cellsFor(Runtime.getRuntime().availableProcessors());

    private static final VarHandle BASE;
    private static final VarHandle STRIPES;
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BASE = lookup.findVarHandle(StripedCounter.class, "base", long.class);
            STRIPES = lookup.findVarHandle(StripedCounter.class, "stripes", long[].class);
        }
        catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through BASE
    private volatile long base;
    /** Null until an update of {@link #base} failed; then {@link #CELLS} cells, {@link #SPREAD} longs apart. */
    private volatile long[] stripes;

    /** Adds {@code x} (negative to take away). */
    void add(long x) {
        long[] cells = stripes;
        if (cells == null) {
            long b = (long) BASE.getVolatile(this);
            if (BASE.compareAndSet(this, b, b + x)) {
                return;
            }
            cells = cellsMade();
        }
        long id = Thread.currentThread().threadId();
        int cell = (int) (id ^ (id >>> 17)) & (CELLS - 1);
        CELL.getAndAdd(cells, cell * SPREAD, x);
    }

    void increment() {
        add(1);
    }

    void decrement() {
        add(-1);
    }

    /** The base and every cell, read one after the other. */
    long sum() {
        long total = (long) BASE.getVolatile(this);
        long[] cells = stripes;
        if (cells != null) {
            for (int i = 0; i < cells.length; i += SPREAD) {
                total += (long) CELL.getVolatile(cells, i);
            }
        }
        return total;
    }

    private long[] cellsMade() {
        long[] made = new long[CELLS * SPREAD];
        long[] witness = (long[]) STRIPES.compareAndExchange(this, (long[]) null, made);
        return witness == null ? made : witness;
    }

    /** Four cells per core (consecutive ids then rarely meet), at least four, at most 64: a power of two. */
    static int cellsFor(int cores) {
        int wanted = Math.min(64, Math.max(4, cores * 4));
        return Integer.highestOneBit(wanted - 1) << 1;
    }
}
