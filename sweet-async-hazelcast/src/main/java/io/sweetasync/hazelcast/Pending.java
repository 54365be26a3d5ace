package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A task this member placed on another, until its outcome arrives.
 *
 * <p>{@link #outcome} completes once, with the first of: the outcome in the answer to its start (a task
 * that ended at once), the outcome the member reports later, a failure to start it there, the member's
 * refusal to start it (then {@link #refused}, set first, tells the caller to place it again), or the loss
 * of the member ({@link Placements#memberLeft}, {@link Placements#closeAll}).
 *
 * <p>The answer to the start is read by the thread that {@linkplain #await awaits} the task, straight from
 * Hazelcast's future, as Hazelcast's own callers do: a callback on that future would cost a platform
 * thread per placement where the common pool has one thread (Hazelcast's default async executor then
 * starts a thread per callback). That wait is in slices, so a loss or a close that completes
 * {@link #outcome} ends it even if Hazelcast has not failed the start's future yet. A cancellation
 * requested before the remote id is known is sent as soon as it is: {@link #remoteId} and
 * {@link #cancelRequested} are guarded by {@code this}.
 */
final class Pending implements PlacedTask {

    /** How long the awaiting thread waits for the start's answer before it checks for a loss or a close. */
    private static final long ANSWER_SLICE_MILLIS = 100;

    final long key;
    final Member target;
    private final String member;
    private final Placements placements;
    final CompletableFuture<RemoteOutcome> outcome = new CompletableFuture<>();
    /** The start's answer; null until sent, or if it could not be sent. */
    private volatile Future<Started> answer;
    /** Guarded by this. */
    private String remoteId;
    /** Guarded by this. */
    private boolean cancelRequested;
    /** Set before {@link #outcome} completes when the member turned the task away unstarted. */
    private volatile boolean refused;
    /** Set once its body began there: by the start's answer, or by a {@link PlacedStarted} after it. */
    private volatile boolean started;

    Pending(long key, Member target, Placements placements) {
        this.key = key;
        this.target = target;
        this.member = MemberNames.of(target);
        this.placements = placements;
    }

    @Override
    public String member() {
        return member;
    }

    void sent(Future<Started> answer) {
        this.answer = answer;
    }

    @Override
    public RemoteOutcome await() throws InterruptedException {
        return awaitUntil(Long.MAX_VALUE);
    }

    @Override
    public RemoteOutcome await(Duration timeout) throws InterruptedException {
        long nanos;
        try {
            nanos = Math.max(0, java.util.Objects.requireNonNull(timeout, "timeout").toNanos());
        }
        catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE;
        }
        return awaitUntil(nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos);
    }

    /** Waits until {@code deadline} ({@code System.nanoTime()}, {@code Long.MAX_VALUE}: no deadline); null if not ended by then. */
    private RemoteOutcome awaitUntil(long deadline) throws InterruptedException {
        Future<Started> start = answer;
        while (start != null && !outcome.isDone()) {
            long slice = TimeUnit.MILLISECONDS.toNanos(ANSWER_SLICE_MILLIS);
            if (deadline != Long.MAX_VALUE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                slice = Math.min(slice, left);
            }
            try {
                answered(start.get(slice, TimeUnit.NANOSECONDS), null);
                break;
            }
            catch (ExecutionException ex) {
                answered(null, ex.getCause());
                break;
            }
            catch (TimeoutException ex) {
                // look again: a loss or a close may have ended it meanwhile
            }
        }
        try {
            if (deadline == Long.MAX_VALUE) {
                return outcome.get();
            }
            return outcome.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            return null;
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("never completed exceptionally", ex);
        }
    }

    @Override
    public void cancel() {
        boolean send;
        synchronized (this) {
            cancelRequested = true;
            send = remoteId != null;
        }
        Future<Started> start = answer;
        if (send) {
            if (!outcome.isDone()) {
                placements.sendCancel(this);
            }
        }
        else if (start != null) {
            // Nobody reads the answer any more: the cancellation goes when it comes (rare: not a hot path).
            Placements.whenDone(start, this::answered);
        }
    }

    /** The start's answer came (or failed); may be called twice, by the waiter and by a cancellation. */
    private void answered(Started started, Throwable error) {
        if (error != null) {
            outcome.complete(placements.failedToStart(this, error));
            return;
        }
        if (started == null) {
            // StartPlaced and StartDurable always answer: Hazelcast completes the start with no answer at all when the
            // member stopped while it ran (a terminated member, seen leaving meanwhile: the outcome is lost already)
            outcome.complete(RemoteOutcome.lost(member, "it stopped before it answered the start"));
            return;
        }
        if (started.refused() != null) {
            refused = true; // nothing ran there, whatever ended the wait first
            placements.refusedBy(target);
            outcome.complete(RemoteOutcome.lost(member, "it turned the task away: " + started.refused()));
            return;
        }
        if (started.bodyBegun()) {
            this.started = true;
        }
        if (started.hasEnded()) {
            RemoteOutcome ended;
            try {
                ended = placements.read(started);
            }
            catch (RuntimeException ex) {
                ended = RemoteOutcome.of(member, started.taskId(), TaskStatus.FAILED, null, ex.getClass().getSimpleName(),
                        "it completed, but its value could not be read here: " + ex.getMessage());
            }
            outcome.complete(ended);
            return;
        }
        boolean send;
        synchronized (this) {
            send = remoteId == null && cancelRequested;
            remoteId = started.taskId();
        }
        if (send && !outcome.isDone()) {
            placements.sendCancel(this);
        }
    }

    @Override
    public boolean refused() {
        return refused;
    }

    /** Its body began there ({@link PlacedStarted}, or the start's answer said so). */
    void markStarted() {
        started = true;
    }

    @Override
    public boolean started() {
        return started;
    }

    synchronized String remoteId() {
        return remoteId;
    }
}
