package io.sweetasync;

import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The incarnation of an orchestrator with a task store: the store's number, made unique in the cluster too.
 *
 * <p>The rule: members without a store take {@link TaskCluster#incarnation()}, one more than the cluster's
 * counter; a member with a store opens its store, then {@linkplain TaskCluster#claimIncarnation claims} the
 * number, which raises the counter to it if it is above every number handed out. If the cluster handed out
 * that number already (or a larger one: members without a store, or with another store, came first), the
 * member releases it, opens its store again with at least the number the cluster names
 * ({@link TaskStore#open(String, Duration, long)}: the store skips ahead and never hands those numbers out
 * again) and claims that. A claim fails again only if other members took numbers meanwhile, so the loop ends
 * after a few rounds; it gives up after {@value #ATTEMPTS}.
 */
final class Incarnations {

    private static final System.Logger LOG = System.getLogger(Incarnations.class.getName());
    static final int ATTEMPTS = 20;

    private Incarnations() {
    }

    /** Opens {@code store} for {@code member}, with a number {@code cluster} (null: none) has handed out to no other member. */
    static TaskStore.Incarnation open(TaskStore store, String member, Duration lease, TaskCluster cluster) {
        TaskStore.Incarnation opened = checked(store.open(member, lease));
        if (cluster == null) {
            return opened;
        }
        for (int attempt = 1; ; attempt++) {
            long claimed;
            try {
                claimed = cluster.claimIncarnation(opened.number());
            }
            catch (Throwable ex) { // the user's cluster: a checked exception its language does not declare too
                release(store, opened);
                throw ex;
            }
            if (claimed == opened.number()) {
                return opened;
            }
            release(store, opened);
            if (claimed < opened.number() || claimed > TaskId.MAX_INCARNATION) {
                throw new IllegalStateException("the cluster refused incarnation " + opened.number()
                        + " from the task store and asked for " + claimed + ", which is not between "
                        + (opened.number() + 1) + " and " + TaskId.MAX_INCARNATION);
            }
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException("no incarnation unique in the cluster after " + ATTEMPTS
                        + " attempts: the task store gave " + opened.number() + ", the cluster had handed out up to "
                        + (claimed - 1) + " meanwhile (are members starting in a tight loop?)");
            }
            opened = checked(store.open(member, lease, claimed));
            if (opened.number() < claimed) {
                release(store, opened);
                throw new IllegalStateException("task store " + store.getClass().getName() + " gave incarnation "
                        + opened.number() + " when asked for " + claimed + " or more");
            }
        }
    }

    private static TaskStore.Incarnation checked(TaskStore.Incarnation incarnation) {
        if (incarnation.number() < 1 || incarnation.number() > TaskId.MAX_INCARNATION) {
            throw new IllegalStateException("the task store gave incarnation " + incarnation.number()
                    + ", outside 1.." + TaskId.MAX_INCARNATION);
        }
        return incarnation;
    }

    /** Gives back a number that will not be used: its lease ends at once (it has no tasks). */
    private static void release(TaskStore store, TaskStore.Incarnation unused) {
        try {
            store.close(unused.number());
        }
        catch (Exception ex) {
            LOG.log(Level.WARNING,
                    "could not release unused incarnation " + unused.number() + " in the task store; its lease "
                            + "lapses by itself", ex);
        }
    }
}
