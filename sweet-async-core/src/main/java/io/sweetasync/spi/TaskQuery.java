package io.sweetasync.spi;

import java.time.Instant;

/**
 * Which stored tasks to list, newest first: all filters optional ({@code null}), then paging.
 *
 * <pre>{@code
 * store.query(new TaskQuery("FAILED", null, Instant.now().minus(Duration.ofHours(1)), 0, 50));
 * }</pre>
 *
 * @param status a {@code TaskStatus} name
 * @param name   the task name
 * @param since  created at or after
 * @param offset rows to skip
 * @param limit  rows to return, 1 to 1000
 */
public record TaskQuery(String status, String name, Instant since, int offset, int limit) {

    public TaskQuery {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
        }
    }
}
