package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import io.sweetasync.TaskId;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The work other members place on this one, from their messages ({@link StartPlaced}, {@link StartDurable}):
 * starting it here, and telling the member that placed it when its body began ({@link PlacedStarted}) and how it
 * ended ({@link PlacedEnded}, {@link DurableEnded}). The placing side, which waits for those, is {@link Placements}.
 *
 * <h2>Threads</h2>
 * Starts run on the executor's threads of this member, ends on the tasks' threads; nothing here is kept between
 * calls but what each start's callbacks share ({@link InlineReply} and the {@code begun} flag decide, once each,
 * whether the outcome and the body's start go back in the start's answer or in a message of their own). The load this
 * member publishes counts each start from before it is made until its end ({@link MemberLoads#placedHere},
 * {@link MemberLoads#endedHere}).
 */
final class PlacedHere {

    private static final System.Logger LOG = System.getLogger(HazelcastTaskCluster.class.getName());
    /**
     * How long the start of a placed task waits, on the executor's thread, for the task to end so that its
     * outcome can go back in the start's answer (one round trip instead of a round trip and a message).
     * A task still running then answers later; only the start's answer, not the outcome, waits this long.
     */
    static final Duration INLINE_WAIT = Duration.ofMillis(2);
    /** A placed task's body and the start's answer, which came first ({@link #startPlaced}). */
    private static final int NOT_BEGUN = 0;
    private static final int BEGUN_BEFORE_ANSWER = 1;
    private static final int ANSWERED_FIRST = 2;

    private final HazelcastTaskCluster cluster;
    private final HazelcastInstance hazelcast;
    private final IExecutorService executor;
    private final MemberLoads loads;

    PlacedHere(HazelcastTaskCluster cluster, HazelcastInstance hazelcast, IExecutorService executor, MemberLoads loads) {
        this.cluster = cluster;
        this.hazelcast = hazelcast;
        this.executor = executor;
        this.loads = loads;
    }

    /**
     * Starts a task placed here by {@code placer} on member {@code origin} and waits up to
     * {@link #INLINE_WAIT} for it to end: the outcome of a task that ends by then goes back in the answer, any
     * other's in a message to {@code origin} when it ends ({@link InlineReply} decides which, once). A task
     * whose handler this member does not offer now ({@link ClusterHost#handlers()}), or that this member rejects
     * unstarted as it begins to shut down (a lost outcome without a task id), is turned away.
     */
    Started startPlaced(RemoteInvocation invocation, UUID origin, UUID placer, long key) {
        ClusterHost attached = cluster.attachedHost();
        if (attached == null || !attached.handlers().contains(invocation.handler())) {
            // Chosen by a view older than this member's last load (its orchestrator has closed or begun to shut
            // down, or lacks the handler): nothing starts, and the placing member places it again elsewhere.
            return Started.refused("it takes no work of '" + invocation.handler() + "' now (its orchestrator is "
                    + "shutting down or closed, or has no such handler)");
        }
        loads.placedHere(origin, placer);
        InlineReply inline = new InlineReply();
        // Whether the body began before the answer was made (it says so) or after (a message says so): decided once.
        AtomicInteger begun = new AtomicInteger(NOT_BEGUN);
        TaskId id;
        try {
            id = attached.start(invocation, () -> {
                if (!begun.compareAndSet(NOT_BEGUN, BEGUN_BEFORE_ANSWER)) {
                    sendStarted(origin, key);
                }
            }, outcome -> {
                loads.endedHere(placer);
                if (!inline.offer(outcome)) {
                    reply(origin, key, outcome);
                }
            });
        }
        catch (RuntimeException ex) {
            loads.endedHere(placer);
            throw ex;
        }
        RemoteOutcome ended = inline.await(INLINE_WAIT);
        if (ended != null && ended.lost() && TaskRejectedException.class.getSimpleName().equals(ended.failureType())) {
            // Rejected unstarted (this member began to shut down after the check above): placed again elsewhere. Not
            // any lost outcome: one cancelled by this member's shutdown (lost too, without a task id) ran already.
            return Started.refused(ended.failureMessage());
        }
        if (ended != null) {
            return Started.ended(ended, cluster.serialization());
        }
        return Started.running(id.toString(), !begun.compareAndSet(NOT_BEGUN, ANSWERED_FIRST));
    }

    /** Tells the member that placed task {@code key} that its body began here (quick, from the body's thread). */
    private void sendStarted(UUID origin, long key) {
        Member caller = memberWithUuid(origin);
        if (caller == null) {
            return; // its end finds it gone too
        }
        try {
            executor.executeOnMember(new PlacedStarted(key), caller);
        }
        catch (RuntimeException ex) {
            // Its handle says QUEUED until the work ends; a member going away is noticed by the membership listener.
            LOG.log(Level.DEBUG, "could not tell " + MemberNames.of(caller) + " that placed task " + key + " began", ex);
        }
    }

    /**
     * Starts a durable task that {@code placer} on member {@code origin} stored for this member and placed
     * here; its outcome goes back.
     */
    String startDurable(String id, UUID origin, UUID placer, long key) {
        loads.placedHere(origin, placer);
        try {
            TaskId taskId = TaskId.parse(id);
            cluster.host().startDurable(taskId, outcome -> {
                loads.endedHere(placer);
                reply(origin, key, outcome);
            });
            return id;
        }
        catch (RuntimeException ex) {
            loads.endedHere(placer);
            throw ex;
        }
    }

    /** A durable task placed from member {@code origin} ended here ({@code TaskCluster.durableEnded}): told there. */
    void durableEnded(String origin, TaskId id, RemoteOutcome outcome) {
        Member member = cluster.memberNamed(origin);
        if (member == null) {
            LOG.log(Level.DEBUG, "durable task {0} ended {1}; the member that placed it, {2}, has left", id,
                    outcome.status(), origin);
            return;
        }
        if (member.localMember()) {
            cluster.host().durableEnded(id, outcome);
            return;
        }
        sendEnd(member, outcome, ended -> new DurableEnded(id.toString(), ended),
                "could not tell member " + origin + " how durable task " + id + " ended");
    }

    private void reply(UUID origin, long key, RemoteOutcome outcome) {
        Member caller = memberWithUuid(origin);
        if (caller == null) {
            LOG.log(Level.INFO, "a task placed here ({0}) ended {1}, but the member that placed it has left",
                    outcome.taskId() != null ? "task " + outcome.taskId() : "placement " + key,
                    outcome.lost() ? "lost: " + outcome.failureMessage() : outcome.status());
            return;
        }
        sendEnd(caller, outcome, ended -> new PlacedEnded(key, ended),
                "could not report the end of placed task " + outcome.taskId());
    }

    /**
     * Sends {@code outcome} to {@code member} in the message {@code message} makes; if it cannot be sent
     * with its value (most likely the value cannot be serialized), sends a {@code FAILED} outcome saying so
     * instead, with the work's figures, so that the waiting side does not wait for it.
     */
    private void sendEnd(Member member, RemoteOutcome outcome, Function<RemoteOutcome, Runnable> message,
            String failure) {
        try {
            executor.executeOnMember(message.apply(outcome), member);
        }
        catch (RuntimeException ex) {
            if (outcome.value() == null || Placements.isLoss(ex)) {
                LOG.log(Level.WARNING, failure, ex);
                return;
            }
            executor.executeOnMember(message.apply(RemoteOutcome.of(outcome.member(), outcome.taskId(),
                    TaskStatus.FAILED, null, ex.getClass().getSimpleName(),
                    "it completed, but its value could not be sent back: " + ex.getMessage())
                    .withMetrics(outcome.metrics())), member);
        }
    }

    /** The member of the cluster whose uuid is {@code uuid}, or null if it is not (any more) a member. */
    private Member memberWithUuid(UUID uuid) {
        return hazelcast.getCluster().getMembers().stream().filter(member -> member.getUuid().equals(uuid)).findFirst()
                .orElse(null);
    }
}
