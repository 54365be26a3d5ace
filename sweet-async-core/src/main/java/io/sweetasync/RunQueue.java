package io.sweetasync;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A pooled runtime's queue of attempts waiting for a slot: by priority, then in the order they were queued
 * (FIFO within a priority). A task that ends while its attempt waits is withdrawn: marked, no longer counted,
 * and dropped when a thread polls past it or, once withdrawn nodes outnumber the live ones (beyond
 * {@link #WITHDRAWN_SLACK}), all at once, so that a busy runtime keeps no more dead nodes than live ones (plus
 * a few).
 *
 * <p>Invariants: not thread-safe, guarded by its runtime's lock. A node is in the queue exactly while its
 * {@link TaskSubmission#enqueueSeq} is non-negative (its position: queue order within a priority);
 * {@link #withdrawn} is the number of nodes in the queue marked {@link TaskSubmission#withdrawn}, so
 * {@link #live()} is the number that will run.
 */
final class RunQueue {

    private static final Comparator<TaskNode<?>> ORDER = Comparator
            .<TaskNode<?>>comparingInt(node -> node.priority().ordinal())
            .thenComparingLong(node -> node.enqueueSeq);
    /** Withdrawn nodes the queue may hold before they are purged even if they do not outnumber the live ones. */
    private static final int WITHDRAWN_SLACK = 64;

    private final PriorityQueue<TaskNode<?>> queue = new PriorityQueue<>(ORDER);
    private long seq;
    private int withdrawn;

    /** Queues {@code node} behind every node of its priority queued before it. */
    void add(TaskNode<?> node) {
        node.enqueueSeq = seq++;
        queue.add(node);
    }

    /** Whether no node is queued, withdrawn ones included (a poll then surely finds none). */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Nodes queued that will run: withdrawn ones are not counted. */
    int live() {
        return queue.size() - withdrawn;
    }

    /** Takes the first node that will run, dropping withdrawn ones before it; null if none is left. */
    TaskNode<?> poll() {
        TaskNode<?> next;
        while ((next = queue.poll()) != null) {
            next.enqueueSeq = -1;
            if (!next.withdrawn) {
                return next;
            }
            withdrawn--; // its task ended while it waited: nothing to run
        }
        return null;
    }

    /**
     * Marks {@code node}, whose task ended while its attempt waited, so that it is no longer counted, and purges
     * the withdrawn nodes once they outnumber the live ones. No effect on a node not queued (taken, or dropped).
     */
    void withdraw(TaskNode<?> node) {
        if (node.enqueueSeq < 0 || node.withdrawn) {
            return;
        }
        node.withdrawn = true;
        withdrawn++;
        if (withdrawn > WITHDRAWN_SLACK && withdrawn > queue.size() - withdrawn) {
            queue.removeIf(queued -> queued.withdrawn); // one pass; the survivors are re-heaped
            withdrawn = 0;
        }
    }

    /** Empties the queue; returns the nodes that would have run, in no particular order. */
    List<TaskNode<?>> clear() {
        List<TaskNode<?>> dropped = queue.stream().filter(node -> !node.withdrawn).toList();
        queue.forEach(node -> node.enqueueSeq = -1);
        queue.clear();
        withdrawn = 0;
        return dropped;
    }
}
