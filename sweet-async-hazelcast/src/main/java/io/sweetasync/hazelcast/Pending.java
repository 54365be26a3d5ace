package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A task this member placed on another, until its outcome arrives.
 *
 * <p>{@link #outcome} completes once, with the first of: the outcome the member reports, a failure to
 * start it there, or the loss of the member ({@link Placements#memberLeft}). A cancellation requested
 * before the remote id is known is sent as soon as it is: {@link #remoteId} and {@link #cancelRequested}
 * are guarded by {@code this}.
 */
final class Pending implements PlacedTask {

    final long key;
    final Member target;
    private final String member;
    private final Consumer<Pending> sendCancel;
    final CompletableFuture<RemoteOutcome> outcome = new CompletableFuture<>();
    /** Guarded by this. */
    private String remoteId;
    /** Guarded by this. */
    private boolean cancelRequested;

    Pending(long key, Member target, Consumer<Pending> sendCancel) {
        this.key = key;
        this.target = target;
        this.member = MemberNames.of(target);
        this.sendCancel = sendCancel;
    }

    @Override
    public String member() {
        return member;
    }

    @Override
    public RemoteOutcome await() throws InterruptedException {
        try {
            return outcome.get();
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
        if (send && !outcome.isDone()) {
            sendCancel.accept(this);
        }
    }

    void started(String id) {
        boolean send;
        synchronized (this) {
            remoteId = id;
            send = cancelRequested;
        }
        if (send && !outcome.isDone()) {
            sendCancel.accept(this);
        }
    }

    synchronized String remoteId() {
        return remoteId;
    }

    /** A placement that never started: its member had gone. */
    record Gone(String member, String why) implements PlacedTask {

        @Override
        public RemoteOutcome await() {
            return RemoteOutcome.lost(member, why);
        }

        @Override
        public void cancel() {
        }
    }
}
