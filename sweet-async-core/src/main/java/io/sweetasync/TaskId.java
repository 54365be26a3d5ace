package io.sweetasync;

/**
 * Identity of a task within its {@link TaskOrchestrator}: a positive number, unique for the
 * orchestrator's lifetime and increasing in creation order.
 *
 * <pre>{@code
 * SpawningTask<String> task = AsyncTask.to(String.class).run(() -> "hi");
 * Optional<TaskInfo> info = TaskOrchestrator.global().find(task.id());
 * }</pre>
 *
 * @param value the number; {@link #toString()} prints it as is, e.g. {@code 42}
 */
public record TaskId(long value) implements Comparable<TaskId> {

    public TaskId {
        if (value <= 0) {
            throw new IllegalArgumentException("task id must be positive, was " + value);
        }
    }

    /**
     * Parses the form printed by {@link #toString()}, with or without a leading {@code #}.
     *
     * @throws IllegalArgumentException if {@code text} is not a positive number
     */
    public static TaskId parse(String text) {
        String digits = text.startsWith("#") ? text.substring(1) : text;
        try {
            return new TaskId(Long.parseLong(digits));
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("not a task id: '" + text + "' (expected a positive number such as 42)");
        }
    }

    @Override
    public int compareTo(TaskId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
