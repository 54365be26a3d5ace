package io.sweetasync;

import java.io.Serializable;

/**
 * Identity of a task: a positive number, increasing in creation order within one
 * {@link TaskOrchestrator}.
 *
 * <p>Without a {@link io.sweetasync.spi.TaskStore} an orchestrator numbers its tasks 1, 2, 3... and
 * prints them as such ({@code 42}). With a store, each start of an orchestrator gets an
 * <em>incarnation</em> number from the store, unique across restarts and across the members sharing
 * the store; the id then carries it in its upper bits and prints as {@code incarnation-sequence}
 * ({@code 7-42}), so ids never repeat, stay short, and still increase within one orchestrator. In a
 * cluster every member has an incarnation, from its store or from the cluster, and no two members of the
 * running cluster share one, whatever their stores ({@link io.sweetasync.spi.TaskCluster#claimIncarnation}).
 *
 * <pre>{@code
 * SpawningTask<String> task = AsyncTask.to(String.class).run(() -> "hi");
 * Optional<TaskInfo> info = TaskOrchestrator.global().find(task.id());
 * TaskId same = TaskId.parse(task.id().toString());
 * }</pre>
 *
 * @param value the number: {@code incarnation << 40 | sequence}
 */
public record TaskId(long value) implements Comparable<TaskId>, Serializable {

    /** Bits of the per-incarnation sequence: about 10^12 tasks per start. */
    static final int SEQUENCE_BITS = 40;
    static final long MAX_SEQUENCE = (1L << SEQUENCE_BITS) - 1;
    /** The largest incarnation number an id can carry (2^23 - 1). */
    public static final long MAX_INCARNATION = (1L << (63 - SEQUENCE_BITS)) - 1;

    public TaskId {
        if (value <= 0) {
            throw new IllegalArgumentException("task id must be positive, was " + value);
        }
        if ((value & MAX_SEQUENCE) == 0) {
            throw new IllegalArgumentException("task id " + value + " has a zero sequence");
        }
    }

    /**
     * The id of the {@code sequence}-th task of an incarnation ({@code 0}: no store).
     *
     * @throws IllegalArgumentException if either part is out of range
     */
    public static TaskId of(long incarnation, long sequence) {
        return new TaskId(valueOf(incarnation, sequence));
    }

    /** The value of {@link #of}'s id, checked the same way, without making the id (the engine makes it on demand). */
    static long valueOf(long incarnation, long sequence) {
        if (incarnation < 0 || incarnation > MAX_INCARNATION) {
            throw new IllegalArgumentException("incarnation must be between 0 and " + MAX_INCARNATION + ", was "
                    + incarnation);
        }
        if (sequence < 1 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence must be between 1 and " + MAX_SEQUENCE + ", was " + sequence);
        }
        return incarnation << SEQUENCE_BITS | sequence;
    }

    /**
     * {@code name#id}, a task's label ({@code render#42}, {@code render#7-42}), made in one go: through
     * {@link #toString()} it made the id's string first, and every snapshot and message names its task.
     */
    String label(String name) {
        long incarnation = incarnation();
        return incarnation == 0 ? name + "#" + value : name + "#" + incarnation + "-" + sequence();
    }

    /** The incarnation of the orchestrator that created the task; 0 when it had no store. */
    public long incarnation() {
        return value >>> SEQUENCE_BITS;
    }

    /** The task's number within its incarnation, from 1. */
    public long sequence() {
        return value & MAX_SEQUENCE;
    }

    /**
     * Parses the form printed by {@link #toString()} ({@code 42} or {@code 7-42}), with or without a
     * leading {@code #}.
     *
     * @throws IllegalArgumentException if {@code text} is not such an id
     */
    public static TaskId parse(String text) {
        java.util.Objects.requireNonNull(text, "text");
        String body = text.startsWith("#") ? text.substring(1) : text;
        int dash = body.indexOf('-');
        try {
            if (dash > 0) {
                return of(Long.parseLong(body.substring(0, dash)), Long.parseLong(body.substring(dash + 1)));
            }
            return new TaskId(Long.parseLong(body));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("not a task id: '" + text
                    + "' (expected a positive number such as 42, or incarnation-sequence such as 7-42)");
        }
    }

    @Override
    public int compareTo(TaskId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        long incarnation = incarnation();
        return incarnation == 0 ? Long.toString(value) : incarnation + "-" + sequence();
    }
}
