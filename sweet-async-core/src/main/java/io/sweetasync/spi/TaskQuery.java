package io.sweetasync.spi;

import io.sweetasync.TaskStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which stored tasks to list, newest first: all filters optional ({@code null}), then paging.
 *
 * <pre>{@code
 * store.query(new TaskQuery("FAILED", null, Instant.now().minus(Duration.ofHours(1)), 0, 50));
 * }</pre>
 *
 * @param status a {@code TaskStatus} name, in any case ({@code "failed"} is {@code "FAILED"}); another
 *               value is refused, naming it
 * @param name   the task name
 * @param since  created at or after
 * @param offset rows to skip
 * @param limit  rows to return, 1 to 1000
 */
public record TaskQuery(String status, String name, Instant since, int offset, int limit) {

    public TaskQuery {
        if (status != null) {
            // "FAILD" or "failed" listed nothing, silently, as if no task had failed (the endpoint upper-cases it)
            String upper = status.trim().toUpperCase(Locale.ROOT);
            if (Arrays.stream(TaskStatus.values()).noneMatch(known -> known.name().equals(upper))) {
                throw new IllegalArgumentException("status must be one of " + Arrays.toString(TaskStatus.values())
                        + " (or null for any), was '" + status + "'");
            }
            status = upper;
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
        }
    }
}
