package io.sweetasync.hazelcast;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskId;
import java.lang.System.Logger.Level;
import java.util.UUID;

/**
 * This member's incarnation in the cluster's counter: the entry {@code "incarnation"} of the map
 * {@code "sweet-async-ids"}, the largest incarnation handed out in the cluster. Taken ({@link #take}) by a member
 * without a task store, claimed ({@link #claim}) by one with a store, and claimed again ({@link #claimMineAgain})
 * whenever the counter may have been lost or replaced: a member left (the counter's partition owner and its backup
 * may have left together), the counter's partition was lost, or this member merged into another cluster after a
 * split (the merged counter is the other side's).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>The counter only rises: both entry processors ({@link NextIncarnation}, {@link ClaimIncarnation}) run on the
 * key's partition owner, one at a time, and never lower it.</li>
 * <li>{@link #mine} is the number this member holds, 0 before it took or claimed one; a claim again is a no-op while
 * the counter is at or above it.</li>
 * <li>The map has a configuration of its own unless the application made one ({@link #configure}): no time to live,
 * max idle or eviction, which would drop the counter and let ids repeat.</li>
 * </ul>
 */
final class ClusterIds {

    private static final System.Logger LOG = System.getLogger(HazelcastTaskCluster.class.getName());
    static final String IDS = "sweet-async-ids";
    private static final String INCARNATION_KEY = "incarnation";

    private final HazelcastInstance hazelcast;
    /**
     * The incarnation this member took or claimed, 0 before: claimed again whenever a member leaves, so that a
     * counter lost with the members that held it (the owner of its partition and its backup, crashed together)
     * starts again above every live member's number, not from 1.
     */
    private volatile long mine;
    private UUID lostListener;

    ClusterIds(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    /**
     * Gives the map {@code "sweet-async-ids"} a configuration of its own unless the application made one. Without one
     * the map takes the application's {@code default} map configuration, whose time to live, max idle or eviction (a
     * cache's) dropped the counter, and members counted from 1 again, repeating live members' ids. Hazelcast's plain
     * configuration; every member adds the same one.
     */
    static void configure(HazelcastInstance hazelcast) {
        try {
            if (hazelcast.getConfig().getMapConfigOrNull(IDS) == null) {
                hazelcast.getConfig().addMapConfig(new MapConfig(IDS));
            }
        }
        catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not configure the map " + IDS + " (it takes the default map configuration: "
                    + "give it no time to live, max idle or eviction, or ids may repeat)", ex);
        }
    }

    /** The counter plus one, taken (see {@code TaskCluster.incarnation()}). */
    long take() {
        long taken = hazelcast.<String, Long>getMap(IDS).executeOnKey(INCARNATION_KEY, new NextIncarnation());
        mine = taken;
        return taken;
    }

    /** Raises the counter to {@code proposed} if below, else answers the counter plus one. */
    long claim(long proposed) {
        if (proposed < 1 || proposed > TaskId.MAX_INCARNATION) {
            throw new IllegalArgumentException("proposed incarnation must be between 1 and " + TaskId.MAX_INCARNATION
                    + ", was " + proposed);
        }
        long answer = hazelcast.<String, Long>getMap(IDS).executeOnKey(INCARNATION_KEY, new ClaimIncarnation(proposed));
        if (answer == proposed) {
            mine = proposed;
        }
        return answer;
    }

    /**
     * Claims this member's incarnation again, asynchronously (from a listener's thread): a no-op while the counter is
     * at or above it, which it is unless the counter was lost or replaced.
     */
    void claimMineAgain() {
        long number = mine;
        if (number < 1) {
            return;
        }
        try {
            hazelcast.<String, Long>getMap(IDS).submitToKey(INCARNATION_KEY, new ClaimIncarnation(number))
                    .whenCompleteAsync((answer, failure) -> {
                        if (failure != null) {
                            LOG.log(Level.WARNING, "could not claim this member''s incarnation " + number + " again in "
                                    + "the cluster after a member left or its partition was lost", failure);
                        }
                    }, Runnable::run);
        }
        catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not claim this member''s incarnation " + number + " again in the cluster "
                    + "after a member left", ex);
        }
    }

    /** Claims again when the counter's partition is lost with all its replicas (owner and backup crashed together). */
    void listen() {
        lostListener = hazelcast.<String, Long>getMap(IDS).addPartitionLostListener(event -> claimMineAgain());
    }

    /** Withdraws {@link #listen}'s listener; throws if this member's Hazelcast instance stopped first. */
    void stopListening() {
        hazelcast.getMap(IDS).removePartitionLostListener(lostListener);
    }
}
