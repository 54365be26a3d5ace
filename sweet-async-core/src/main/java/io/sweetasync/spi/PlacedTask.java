package io.sweetasync.spi;

import java.time.Duration;

/**
 * A task that a {@link TaskCluster} started on another member, as the member that placed it sees it.
 *
 * <pre>{@code
 * PlacedTask placed = cluster.place(invocation);
 * try {
 *     RemoteOutcome outcome = placed.await();
 * } catch (InterruptedException ex) {
 *     placed.cancel();
 * }
 * }</pre>
 */
public interface PlacedTask {

    /** The member it runs on. */
    String member();

    /**
     * Waits for its outcome: how it ended there, or {@link RemoteOutcome#lost} if that member left the
     * cluster first. Never waits for a member that has gone.
     *
     * @throws InterruptedException if this thread is interrupted (the remote task goes on: call {@link #cancel})
     */
    RemoteOutcome await() throws InterruptedException;

    /**
     * As {@link #await()}, for at most {@code timeout}: null if it has not ended by then, so that the caller
     * can look at other news between waits (a durable task's placing member polls for a claim of its own).
     *
     * @throws InterruptedException if this thread is interrupted
     */
    RemoteOutcome await(Duration timeout) throws InterruptedException;

    /** Asks its member to cancel it, interrupting its body; returns at once. */
    void cancel();

    /**
     * Whether its body has begun on its member (false while it waits there for a slot or a group's permit: the
     * placing member's handle then says {@code QUEUED}); true once, true for good. True by default.
     */
    default boolean started() {
        return true;
    }

    /**
     * Whether, once {@link #await} has answered, its member turned the task away without starting it (its
     * orchestrator had closed or begun to shut down, or lacks the handler: the view it was chosen by was stale). Nothing ran there, so
     * the caller places it again; the outcome then says {@link RemoteOutcome#lost lost} on that member.
     * False by default.
     */
    default boolean refused() {
        return false;
    }

    /**
     * A placement that never started (its member had gone, or the start could not be sent): every wait answers
     * at once that it was lost on {@code member}, for {@code why}; there is nothing to cancel.
     */
    static PlacedTask lost(String member, String why) {
        RemoteOutcome outcome = RemoteOutcome.lost(member, why);
        return new PlacedTask() {
            @Override
            public String member() {
                return member;
            }

            @Override
            public RemoteOutcome await() {
                return outcome;
            }

            @Override
            public RemoteOutcome await(Duration timeout) {
                return outcome;
            }

            @Override
            public void cancel() {
            }

            @Override
            public boolean started() {
                return false; // nothing began there: the handle following it must not say RUNNING
            }
        };
    }
}
