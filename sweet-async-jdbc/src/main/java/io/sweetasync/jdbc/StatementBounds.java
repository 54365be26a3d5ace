package io.sweetasync.jdbc;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The bound a thread's statements share while {@link JdbcTaskStore#within} runs: each statement the thread makes
 * then gets what is left of it as its query timeout, in whole seconds rounded up (JDBC's unit), and one that would
 * begin after its end is not made. The lease keeper's calls after a renewal run so, and a lock on a table the store
 * reads then holds its next renewal back that long at most.
 *
 * <p>Invariants: thread-safe, its one state a {@link ThreadLocal} (a thread sees only its own bound, set and taken
 * off by {@link #within} in a {@code finally}: none is left behind on a pooled thread). Times are
 * {@code System.nanoTime()}, and every figure is capped at {@link #MAX_SECONDS}, so no bound overflows.
 */
final class StatementBounds {

    /**
     * The longest query timeout given to a statement, in seconds: H2 keeps it in milliseconds, as an int. A longer
     * bound counts as this long (24 days: practically never).
     */
    static final int MAX_SECONDS = Integer.MAX_VALUE / 1000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String prefix;
    /** The bound of this thread's statements, while {@link #within} runs; none otherwise. */
    private final ThreadLocal<Bound> bounds = new ThreadLocal<>();

    /**
     * The end ({@code System.nanoTime()}) of a thread's bound, the bound as its caller gave it, and the table of the
     * last statement under it (for the message of one given up). Confined to its thread.
     */
    private static final class Bound {
        final long end;
        final Duration bound;
        String table = "";

        Bound(long end, Duration bound) {
            this.end = end;
            this.bound = bound;
        }
    }

    StatementBounds(String prefix) {
        this.prefix = prefix;
    }

    /** Runs {@code calls} with this thread's statements bounded by {@code bound}, together, from now; see the class. */
    void within(Duration bound, Runnable calls) {
        Objects.requireNonNull(bound, "bound");
        Objects.requireNonNull(calls, "calls");
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        long nanos = bound.compareTo(Duration.ofSeconds(MAX_SECONDS)) >= 0 ? MAX_SECONDS * NANOS_PER_SECOND
                : bound.toNanos();
        Bound outer = bounds.get();
        Bound inner = new Bound(System.nanoTime() + nanos, bound);
        bounds.set(outer != null && outer.end - inner.end < 0 ? outer : inner); // nested: the sooner end
        try {
            calls.run();
        }
        finally {
            if (outer == null) {
                bounds.remove();
            }
            else {
                bounds.set(outer);
            }
        }
    }

    /**
     * The query timeout of statement {@code sql}, in seconds: {@code seconds} (its own bound; 0 if none) or what is
     * left of this thread's bound, rounded up, whichever is sooner; 0 if it has neither (then no timeout is set).
     *
     * @throws SQLTimeoutException if this thread's bound has ended: the statement is not to be made
     */
    int timeout(int seconds, String sql) throws SQLTimeoutException {
        Bound bound = bounds.get();
        if (bound == null) {
            return seconds;
        }
        bound.table = table(sql);
        long left = bound.end - System.nanoTime();
        if (left <= 0) {
            throw new SQLTimeoutException("the calls' bound ended before this statement began", "57014");
        }
        // At most MAX_SECONDS worth of nanoseconds are left (within caps the bound): rounding up does not overflow.
        int boundSeconds = (int) Math.min(MAX_SECONDS, (left + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
        return seconds > 0 ? Math.min(seconds, boundSeconds) : boundSeconds;
    }

    /**
     * What a statement given up at the end of this thread's bound ({@code timedOut}: {@code ex} says it was cancelled
     * or not made) waited for, naming its table and the bound, to open its message; else nothing.
     */
    String givenUp(SQLException ex, boolean timedOut) {
        Bound bound = bounds.get();
        if (bound == null || !timedOut) {
            return "";
        }
        return "gave up a statement on " + bound.table + " at the end of its calls' bound of " + bound.bound
                + " (TaskStore.within; a lock another session holds on the table, or a slow database): ";
    }

    /** The first of the store's tables {@code sql} names, for messages. */
    private String table(String sql) {
        String first = prefix + "*";
        int at = Integer.MAX_VALUE;
        for (String table : List.of("member", "task", "durable")) {
            int found = sql.indexOf(prefix + table);
            if (found >= 0 && found < at) {
                at = found;
                first = prefix + table;
            }
        }
        return first;
    }
}
