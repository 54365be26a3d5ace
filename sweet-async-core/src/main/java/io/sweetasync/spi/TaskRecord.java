package io.sweetasync.spi;

import java.util.Map;

/**
 * One task as a store keeps it: plain values only, instants as epoch milliseconds ({@code 0}: not yet),
 * resource figures in their unit ({@code -1}: unavailable).
 *
 * <pre>{@code
 * store.find(id).ifPresent(r -> System.out.println(r.name() + " " + r.status() + " on " + r.member()));
 * }</pre>
 *
 * @param id             the task's id ({@code TaskId.value()})
 * @param parentId       the parent's id, 0 for a root
 * @param rootId         the root's id (its own for a root)
 * @param name           the task's name
 * @param status         a {@code TaskStatus} name
 * @param priority       a {@code TaskPriority} name
 * @param group          concurrency group, null if none
 * @param runtime        runtime name
 * @param tags           tags
 * @param createdAt      creation, epoch ms
 * @param startedAt      first start, epoch ms, 0 before
 * @param completedAt    terminal status, epoch ms, 0 before
 * @param attempts       attempts started
 * @param failureType    simple class name of the failure, null if none
 * @param failureMessage its message, null if none
 * @param queueWaitNanos time spent queued
 * @param runNanos       time the body ran, summed over attempts
 * @param cpuNanos       CPU time, -1 unavailable
 * @param allocatedBytes heap allocated, -1 unavailable
 * @param bytesRead      bytes read, -1 unavailable
 * @param bytesWritten   bytes written, -1 unavailable
 * @param resourceSources how each of the four figures was obtained, one letter each in that order:
 *                       {@code M} measured, {@code S} sampled, {@code P} pending (sampled events still to
 *                       come: the amount so far), {@code U} unavailable (e.g. {@code "MMSS"})
 * @param member         the member that ran it
 * @param incarnation    the incarnation of that member
 * @param durable        whether it is a durable task (re-run after a crash instead of being marked lost)
 */
public record TaskRecord(long id, long parentId, long rootId, String name, String status, String priority, String group,
        String runtime, Map<String, String> tags, long createdAt, long startedAt, long completedAt, int attempts,
        String failureType, String failureMessage, long queueWaitNanos, long runNanos, long cpuNanos,
        long allocatedBytes, long bytesRead, long bytesWritten, String resourceSources, String member, long incarnation,
        boolean durable) {

    public TaskRecord {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        if (resourceSources == null || !resourceSources.matches("[MSPU]{4}")) {
            throw new IllegalArgumentException("resourceSources must be four of M, S, P, U, was " + resourceSources);
        }
    }
}
