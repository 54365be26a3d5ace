package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskStatus;
import io.sweetasync.internal.Names;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/**
 * Reads and checks the parameters of the {@code asynctasks} endpoint ({@link AsyncTasksEndpoint}): the
 * history filters ({@code status}, {@code name}, {@code since}, {@code offset}, {@code limit}), the tree
 * shape ({@code depth}, {@code expand}) and task ids. A bad value is a 400 whose message names the
 * parameter and the value ({@link #invalid}), never a 500 or an empty answer.
 *
 * <p>Stateless: static methods, called on any request thread.
 */
final class AsyncTasksParameters {

    private static final int DEFAULT_PAGE = 50;
    static final int MAX_LIMIT = 1000;
    /** The longest task name (SpawningTaskBuilder.named): a longer filter can match nothing. */
    private static final int MAX_NAME = 100;
    /** The most ids one {@code expand} lists. */
    private static final int MAX_EXPAND = 1000;

    private AsyncTasksParameters() {
    }

    /** The history part of a request, checked. */
    record HistoryQuery(@Nullable String status, @Nullable String name, @Nullable Instant since, int offset,
            int limit) {
    }

    static HistoryQuery query(@Nullable String status, @Nullable String name, @Nullable String since,
            @Nullable Integer offset, @Nullable Integer limit) {
        String statusName = null;
        if (status != null && !status.isBlank()) {
            statusName = status.trim().toUpperCase(Locale.ROOT);
            try {
                TaskStatus.valueOf(statusName);
            }
            catch (IllegalArgumentException ex) {
                throw invalid("status must be one of " + Arrays.toString(TaskStatus.values()) + ", was '"
                        + Names.printable(status) + "'");
            }
        }
        int from = offset == null ? 0 : offset;
        if (from < 0) {
            throw invalid("offset must not be negative, was " + from);
        }
        checkLimit(limit);
        if (name != null && name.length() > MAX_NAME) {
            throw invalid("name must be a task name, at most " + MAX_NAME + " characters, was " + name.length()
                    + " characters long ('" + name.substring(0, 40) + "...')");
        }
        if (name != null && name.chars().anyMatch(Character::isISOControl)) {
            // A NUL reaches PostgreSQL as an encoding error: refused here, as no task name holds one.
            throw invalid("name must be a task name, without control characters, was '"
                    + name.replaceAll("\\p{Cntrl}", "?") + "' (control characters shown as ?)");
        }
        return new HistoryQuery(statusName, name == null || name.isBlank() ? null : name, since(since), from,
                limit == null ? DEFAULT_PAGE : limit);
    }

    private static @Nullable Instant since(@Nullable String since) {
        if (since == null || since.isBlank()) {
            return null;
        }
        String text = since.trim();
        try {
            if (text.startsWith("P") || text.startsWith("p") || text.startsWith("-P")) {
                Duration back = Duration.parse(text);
                if (back.isNegative()) {
                    throw new DateTimeParseException("negative", text, 0);
                }
                Instant now = Instant.now();
                // A duration reaching back before the first instant: every task, not an arithmetic error.
                return back.compareTo(Duration.between(Instant.MIN, now)) >= 0 ? null : now.minus(back);
            }
            return Instant.parse(text);
        }
        catch (DateTimeException | ArithmeticException ex) {
            throw invalid("since must be an instant (2026-12-01T10:00:00Z) or a duration back from now (PT1H), was '"
                    + Names.printable(since) + "'");
        }
    }

    static int depth(@Nullable Integer depth) {
        if (depth == null) {
            return TaskDescriptor.MAX_DEPTH;
        }
        if (depth < 0 || depth > TaskDescriptor.MAX_DEPTH) {
            throw invalid("depth must be between 0 and " + TaskDescriptor.MAX_DEPTH + ", was " + depth);
        }
        return depth;
    }

    static Set<TaskId> expanded(@Nullable String expand) {
        if (expand == null || expand.isBlank()) {
            return Set.of();
        }
        String[] ids = expand.split(",", -1);
        if (ids.length > MAX_EXPAND) {
            throw invalid("expand must list at most " + MAX_EXPAND + " task ids, listed " + ids.length);
        }
        Set<TaskId> expanded = new HashSet<>();
        for (String id : ids) {
            TaskId parsed = parse(id.strip());
            if (parsed == null) {
                throw invalid("expand must list task ids separated by commas, " + notAnId(id.strip()));
            }
            expanded.add(parsed);
        }
        return expanded;
    }

    /** {@code value} as a number, null when absent; a 400 naming {@code parameter} and the value when it is not one. */
    static @Nullable Integer number(String parameter, @Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        }
        catch (NumberFormatException ex) {
            String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
            throw invalid(parameter + " must be a whole number, was '"
                    + shown.replaceAll("\\p{Cntrl}", "?") + "'");
        }
    }

    /**
     * The id, or a 400 naming it (cut, its control characters shown as '?', as every bad value here): an id
     * that cannot be a task's is a bad request, not an unknown task.
     */
    static TaskId parseOrReject(String id) {
        TaskId parsed = parse(id);
        if (parsed == null) {
            throw invalid(notAnId(id));
        }
        return parsed;
    }

    private static @Nullable TaskId parse(String id) {
        try {
            return TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    private static String notAnId(String id) {
        return "not a task id: '" + Names.printable(id)
                + "' (expected a positive number such as 42, or incarnation-sequence such as 7-42)";
    }

    static void checkLimit(@Nullable Integer limit) {
        if (limit != null && (limit < 0 || limit > MAX_LIMIT)) {
            throw invalid("limit must be between 0 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /**
     * A 400 whose reason is the whole message, naming the bad value: the reason is what Actuator puts in the
     * error response ({@code spring.web.error.include-message=always} shows it).
     */
    static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }
}
