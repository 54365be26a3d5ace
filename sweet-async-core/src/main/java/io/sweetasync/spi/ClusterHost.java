package io.sweetasync.spi;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The orchestrator of one member as a {@link TaskCluster} sees it: its load, its live trees, and a way to
 * run tasks placed on it by other members. Implemented by the orchestrator; thread-safe.
 *
 * <pre>{@code
 * int load = host.liveTasks();          // tasks that run here, not counting those waiting on another member
 * TaskId started = host.start(invocation, outcome -> reply(caller, outcome));
 * }</pre>
 */
public interface ClusterHost {

    /** Live tasks of this member, not counting its tasks that only wait for a task placed elsewhere. */
    int liveTasks();

    /**
     * Names of the task handlers registered here: placed invocations of other handlers cannot run here. None
     * once this member has begun to shut down (it admits no new work).
     */
    Set<String> handlers();

    /** Live root tasks with their subtrees. */
    List<TaskInfo> roots();

    /** Every concurrency group's limiter. */
    List<LimiterSnapshot> limiters();

    /**
     * Cancels a live task of this member.
     *
     * @return whether this call requested the cancellation
     */
    boolean cancel(TaskId id);

    /**
     * Tells this member where it stands among the live members, after it attached and whenever a member
     * joins or leaves: it is at {@code position} (0 = joined first; every member sees the same order) among
     * {@code members}. Its {@linkplain io.sweetasync.limit.LimiterConfig#clusterWide() cluster-wide} groups
     * take their share of their limits from it (see {@link io.sweetasync.limit.ConcurrencyLimiter#share}).
     *
     * @throws IllegalArgumentException if {@code members} is less than 1, or {@code position} is not
     *                                  between 0 and {@code members - 1}
     */
    void membersChanged(int position, int members);

    /**
     * Starts {@code invocation} here as a new root task and calls {@code onEnd} exactly once, on the
     * thread that ends it, with its outcome. A handler that does not exist, or an argument of the wrong
     * type, ends it {@code FAILED} (reported through {@code onEnd}, not thrown).
     *
     * @return the id of the task started here
     */
    TaskId start(RemoteInvocation invocation, Consumer<RemoteOutcome> onEnd);

    /**
     * As {@link #start(RemoteInvocation, Consumer)}, also calling {@code onStarted} once, when the task's body
     * first begins (on the body's thread, just before it: it must be quick and must not block; what it throws is
     * logged), so that the placing member's handle can say {@code QUEUED} until then. By default it is called
     * once the task is started, as if its body began at once.
     *
     * @return the id of the task started here
     */
    default TaskId start(RemoteInvocation invocation, Runnable onStarted, Consumer<RemoteOutcome> onEnd) {
        TaskId id = start(invocation, onEnd);
        onStarted.run();
        return id;
    }

    /**
     * The incarnation this member runs durable tasks as in its task store; 0 if it runs none (no store, or no durable
     * codec: its store keeps history only).
     */
    long durableOwner();

    /**
     * Durable tasks this member has chosen {@code member} for (by {@link DurableTarget#member()}) and not started
     * there yet: their start waits for the {@link DurableStartGate} (the submitting transaction's commit, say). A
     * placement counts them as that member's load, as it counts the tasks started there and not seen end; without
     * them every task of a transaction went to the same member.
     */
    default int durablesNotStarted(String member) {
        return 0;
    }

    /**
     * Runs here the stored durable invocation {@code id} that another member stored for this member's
     * incarnation, with the same id, and calls {@code onEnd} once with its outcome. If this member does not
     * own it (any more), nothing runs and {@code onEnd} gets a lost outcome saying so.
     */
    void startDurable(TaskId id, Consumer<RemoteOutcome> onEnd);

    /** A later run elsewhere of durable task {@code id}, placed from here, ended as {@code outcome}. */
    void durableEnded(TaskId id, RemoteOutcome outcome);

    /**
     * Member {@code member} left the cluster: durable tasks it owned are claimed here as soon as its lease
     * in the store lapses, rather than at this member's next periodic look.
     */
    void memberLeft(String member);
}
