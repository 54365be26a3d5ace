package io.sweetasync.spi;

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

    /** Asks its member to cancel it, interrupting its body; returns at once. */
    void cancel();
}
