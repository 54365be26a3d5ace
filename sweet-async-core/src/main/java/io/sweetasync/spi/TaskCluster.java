package io.sweetasync.spi;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An engine that spreads one application's tasks over the members of a cluster: it places tasks on the
 * least loaded member, gathers every member's view, and cancels a task wherever it runs. The orchestrator
 * calls it; users only hand it over, with {@code TaskOrchestrator.builder().cluster(...)}.
 * {@code io.sweetasync.hazelcast.HazelcastTaskCluster} implements it on Hazelcast; another engine could.
 *
 * <p>An implementation is thread-safe. Each member of the cluster runs one orchestrator attached to one
 * {@code TaskCluster}, and all of them register the same task handlers.
 *
 * <pre>{@code
 * TaskCluster cluster = new HazelcastTaskCluster(hazelcastInstance);
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
 *         .handler("resize", Image.class, image -> resizer.resize(image))
 *         .build();
 * }</pre>
 */
public interface TaskCluster {

    /**
     * Called once, by the orchestrator being built, before it runs any task: from now on the engine
     * serves placements and queries on this member through {@code host}.
     *
     * @throws IllegalStateException if another orchestrator is attached already
     */
    void attach(ClusterHost host);

    /**
     * A number no other live member of the cluster gets, for the ids of the attached orchestrator's
     * tasks when it has no {@link TaskStore} (a member with one takes its store's number and
     * {@linkplain #claimIncarnation claims} it); between 1 and {@link TaskId#MAX_INCARNATION}.
     */
    long incarnation();

    /**
     * Claims for the attached orchestrator's ids {@code proposed}, the incarnation its {@link TaskStore}
     * gave it. Returns {@code proposed} when no member of the cluster has it or a larger one: from now on
     * {@link #incarnation()} hands out only numbers above it. Otherwise returns a number above every one
     * handed out in the cluster so far, to open the store again with at least it
     * ({@link TaskStore#open(String, Duration, long)}) and claim the result; the orchestrator
     * repeats until its claim holds. So incarnations are unique among the members of a cluster whatever
     * their stores, and a store member's stays unique in its store across restarts.
     *
     * <p>The default accepts every number: right for an engine whose {@link #incarnation()} cannot meet a
     * store's numbers.
     *
     * @param proposed a number from 1 to {@link TaskId#MAX_INCARNATION}
     * @return {@code proposed} if claimed, else a larger number to claim instead
     */
    default long claimIncarnation(long proposed) {
        return proposed;
    }

    /** This member's name as the cluster's views show it, e.g. {@code 127.0.0.1:5701}. */
    String memberName();

    /**
     * Chooses the member to run {@code invocation} on and, unless it is this one, starts it there.
     * Returns {@code null} when this member is the least loaded: the caller then runs it itself.
     * Never blocks on the remote task; its end comes through the returned handle.
     */
    PlacedTask place(RemoteInvocation invocation);

    /**
     * Every member's live task trees and groups, this member's included; a member that does not answer
     * in time is left out.
     */
    List<MemberSnapshot> members();

    /**
     * Every member's groups, this member's included, as {@link #members()} has them but without the trees
     * (every snapshot's {@code roots} is empty): what a view of the limits needs, without gathering and sending
     * every member's live trees, the costly part of {@link #members()}. A member that does not answer in time
     * is left out. The default takes them from {@link #members()}; an engine that can ask for the groups alone
     * overrides it.
     *
     * <pre>{@code
     * for (MemberSnapshot member : cluster.memberLimiters()) {
     *     member.limiters().forEach(group -> System.out.println(member.member() + " " + group.group()
     *             + ": " + group.inFlight() + "/" + group.limit()));
     * }
     * }</pre>
     */
    default List<MemberSnapshot> memberLimiters() {
        return members().stream()
                .map(member -> new MemberSnapshot(member.member(), member.local(), List.of(), member.limiters()))
                .toList();
    }

    /**
     * The live task with this id, with its subtree, on whichever member runs it (this one included); empty when no
     * member answered that it runs one within the implementation's wait. The default looks through
     * {@link #members()}; an engine that can ask the members for the one task (so that only its subtree travels)
     * overrides it.
     *
     * <pre>{@code
     * cluster.find(TaskId.parse("7-42")).ifPresent(task -> System.out.println(task.name() + " " + task.status()));
     * }</pre>
     */
    default Optional<TaskInfo> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        return members().stream().map(member -> member.find(id)).flatMap(Optional::stream).findFirst();
    }

    /**
     * Cancels the live task with this id on whichever member runs it.
     *
     * @return whether some member answered that it cancelled it; {@code false} also when no member answered so in
     *         the implementation's wait (5 s for {@code HazelcastTaskCluster}): the request may still reach a member
     *         that answers late and cancel the task there
     */
    boolean cancel(TaskId id);

    /**
     * The least loaded member able to run a durable task of {@code handler} in {@code group}: one that has the
     * handler and a store (the same store as this member). Returns {@code null} when this member is the
     * least loaded, or when the engine does not place durable tasks (the default): the caller then runs it
     * itself.
     */
    default DurableTarget chooseDurable(String handler, String group) {
        return null;
    }

    /**
     * Starts on {@code target} the stored durable invocation {@code id}, which {@code target}'s incarnation
     * owns already (its lease fences it: if the member dies, the invocation is claimed again once the lease
     * lapses). Never blocks on the remote task; its end, or the loss of the member, comes through the handle.
     *
     * @throws UnsupportedOperationException if the engine does not place durable tasks
     */
    default PlacedTask startDurable(DurableTarget target, TaskId id) {
        throw new UnsupportedOperationException("this cluster engine does not place durable tasks");
    }

    /**
     * Tells member {@code origin}, which placed durable task {@code id} and may still wait for it, how a
     * later run of it ended here (after the member it was placed on left). Returns at once; a member that
     * has gone is skipped.
     */
    default void durableEnded(String origin, TaskId id, RemoteOutcome outcome) {
    }

    /** Called when the attached orchestrator closes: stop serving this member. */
    void detach();
}
