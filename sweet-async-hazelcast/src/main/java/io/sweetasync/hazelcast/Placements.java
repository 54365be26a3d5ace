package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.sweetasync.TaskId;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.lang.System.Logger.Level;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.BiConsumer;

/**
 * The tasks this member has placed on others and not seen end, by key.
 *
 * <p>A placement is registered before its start message is sent and before the target's membership is
 * checked, so a member that leaves at any moment is noticed: by {@link #memberLeft} (the membership
 * listener) if the entry was there, else by the check. Every way out completes the entry's outcome and
 * removes it, so the map holds only waiting tasks.
 */
final class Placements {

    private static final System.Logger LOG = System.getLogger(Placements.class.getName());

    private final HazelcastTaskCluster cluster;
    private final IExecutorService executor;
    /**
     * Keys start at a random number, not at 1: an orchestrator replaced on the same Hazelcast member (same
     * uuid) has a new {@code Placements}, and the end of work its predecessor placed, still running elsewhere,
     * must not match one of the new placements.
     */
    private final AtomicLong keys = new AtomicLong(ThreadLocalRandom.current().nextLong());
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    /** Entries of {@link #pending} by target member. */
    private final ConcurrentHashMap<UUID, AtomicInteger> perMember = new ConcurrentHashMap<>();
    /** Why this member stopped serving ({@link #closeAll}); null while it serves. */
    private volatile String closed;

    Placements(HazelcastTaskCluster cluster, IExecutorService executor) {
        this.cluster = cluster;
        this.executor = executor;
    }

    /** Starts {@code invocation} there for {@code placer}, this cluster, on member {@code origin}, this one. */
    Pending start(Member target, RemoteInvocation invocation, UUID origin, UUID placer) {
        return start(target, key -> new StartPlaced(invocation, origin, placer, key));
    }

    /** Starts there the stored durable invocation {@code id}, which the target's incarnation owns. */
    Pending startDurable(Member target, TaskId id, UUID origin, UUID placer) {
        return start(target, key -> new StartDurable(id.toString(), origin, placer, key));
    }

    private Pending start(Member target, LongFunction<Callable<Started>> message) {
        Pending placed = new Pending(keys.incrementAndGet(), target, this);
        UUID member = target.getUuid();
        AtomicInteger count = perMember.compute(member, (any, counted) -> {
            AtomicInteger current = counted == null ? new AtomicInteger() : counted;
            current.incrementAndGet();
            return current;
        });
        pending.put(placed.key, placed);
        placed.outcome.whenComplete((outcome, never) -> {
            pending.remove(placed.key);
            // The entry goes with the member's last placement: one counted down to 0 stayed for good, one for every
            // member a stale view chose after it had left (a new UUID each restart). Under the map's lock for the key,
            // as the count up: a start between a count down to 0 and the removal counted into a removed entry. An
            // entry no longer this one (cleared when the member left) is left alone.
            perMember.computeIfPresent(member, (any, counted) ->
                    counted == count && count.decrementAndGet() == 0 ? null : counted);
        });
        String stopped = closed; // read after the registration: a close from now on sees the entry
        if (stopped != null) {
            complete(placed, RemoteOutcome.lost(placed.member(), stopped));
            return placed;
        }
        if (!cluster.isMember(target)) {
            complete(placed, RemoteOutcome.lost(placed.member(), "it was no longer a member of the cluster"));
            return placed;
        }
        try {
            placed.sent(executor.submitToMember(message.apply(placed.key), target));
        }
        catch (RuntimeException ex) {
            complete(placed, failedToStart(placed, ex));
        }
        return placed;
    }

    /**
     * Runs {@code action} on the thread that completes {@code answer} (Hazelcast's response thread), so it
     * must be short and must not block. Not {@code ExecutionCallback}, nor {@code whenComplete} without an
     * executor: Hazelcast runs those on its default async executor, which on a machine where the common
     * pool has a parallelism of one (two cores) starts a new platform thread for every call.
     */
    @SuppressWarnings("unchecked")
    static <T> void whenDone(Future<T> answer, BiConsumer<? super T, ? super Throwable> action) {
        // Hazelcast's futures are CompletableFutures (4.0 on): this runs the action where the answer lands.
        ((CompletionStage<T>) answer).whenCompleteAsync(action, Runnable::run);
    }

    /** The outcome in a start's answer, its value read with this member's serialization. */
    RemoteOutcome read(Started started) {
        return started.outcome(cluster.serialization());
    }

    RemoteOutcome failedToStart(Pending placed, Throwable thrown) {
        Throwable error = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (isLoss(error)) {
            return RemoteOutcome.lost(placed.member(), "it left the cluster (" + error.getClass().getSimpleName() + ")");
        }
        if (error instanceof com.hazelcast.nio.serialization.HazelcastSerializationException) {
            // Made on this member, sending the start: not the chosen member's doing
            return RemoteOutcome.of(placed.member(), null, TaskStatus.FAILED, null, error.getClass().getSimpleName(),
                    "could not be started there: its argument could not be serialized on this member, to send it: "
                            + error.getMessage());
        }
        return RemoteOutcome.of(placed.member(), null, TaskStatus.FAILED, null, error.getClass().getSimpleName(),
                "could not be started there: " + error.getMessage());
    }

    static boolean isLoss(Throwable error) {
        return error instanceof MemberLeftException || error instanceof TargetNotMemberException
                || error instanceof HazelcastInstanceNotActiveException;
    }

    void sendCancel(Pending placed) {
        try {
            executor.submitToMember(new CancelById(placed.remoteId()), placed.target);
        }
        catch (RuntimeException ex) {
            // The member is gone or going: its loss ends the placement.
            LOG.log(Level.DEBUG, "could not send a cancellation to " + placed.member(), ex);
        }
    }

    /** Called on this member when a placed task's outcome arrives. */
    void ended(long key, RemoteOutcome outcome) {
        Pending placed = pending.get(key);
        if (placed == null) {
            return;
        }
        String remoteId = placed.remoteId();
        if (remoteId != null && outcome.taskId() != null && !remoteId.equals(outcome.taskId())) {
            LOG.log(Level.DEBUG, "the end of task {0} on {1} is not that of placement {2} (task {3}); ignored",
                    outcome.taskId(), outcome.member(), key, remoteId);
            return;
        }
        complete(placed, outcome);
    }

    /** Called on this member when a placed task's body began there after its start was answered. */
    void started(long key) {
        Pending placed = pending.get(key);
        if (placed != null) {
            placed.markStarted();
        }
    }

    /** Every placement on {@code member} ends as lost. */
    void memberLeft(Member member) {
        perMember.remove(member.getUuid());
        for (Pending placed : pending.values()) {
            if (placed.target.getUuid().equals(member.getUuid())) {
                complete(placed, RemoteOutcome.lost(placed.member(), "it left the cluster"));
            }
        }
    }

    /** {@code member} turned a placement away: the view that chose it is stale, so it is passed over until it publishes again. */
    void refusedBy(Member member) {
        cluster.loads().passOver(member);
    }

    /** Tasks placed on {@code member} whose end has not arrived. */
    int outstanding(Member member) {
        AtomicInteger count = perMember.get(member.getUuid());
        return count == null ? 0 : count.get();
    }

    /** How many members have placements counted: those with a placement from here whose end has not arrived. */
    int membersCounted() {
        return perMember.size();
    }

    /** Placements may be made again: an orchestrator is attached (again). */
    void open() {
        closed = null;
    }

    /**
     * Every placement ends as lost, and later ones are made as before: this member merges into another cluster after
     * a split, under a new member UUID, so the end of a task placed from here, addressed to it as it was, cannot
     * arrive (a placement between two members of the merging side waited for ever).
     */
    void mergedAway(String why) {
        perMember.clear();
        loseAll(why);
    }

    /** Every placement ends, and every later one at once: this member stops serving. */
    void closeAll(String why) {
        if (closed == null) {
            closed = why;
        }
        loseAll(why);
    }

    /** Every pending placement ends as lost, for {@code why}. */
    private void loseAll(String why) {
        for (Pending placed : pending.values()) {
            complete(placed, RemoteOutcome.lost(placed.member(), why));
        }
    }

    private static void complete(Pending placed, RemoteOutcome outcome) {
        placed.outcome.complete(outcome);
    }
}
