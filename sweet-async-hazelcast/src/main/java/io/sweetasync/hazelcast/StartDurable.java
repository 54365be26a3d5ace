package io.sweetasync.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Starts on the member it is sent to a stored durable invocation that member owns; answers with its id (its
 * outcome always follows in a message: a durable task's end is written to the store first), or that the member
 * turned it away unstarted (no orchestrator serves there any more).
 */
final class StartDurable extends ClusterMessage implements Callable<Started>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String id;
    private final UUID origin;
    private final UUID placer;
    private final long key;

    StartDurable(String id, UUID origin, UUID placer, long key) {
        this.id = id;
        this.origin = origin;
        this.placer = placer;
        this.key = key;
    }

    @Override
    public Started call() {
        HazelcastTaskCluster here;
        try {
            here = here();
        }
        catch (IllegalStateException closed) {
            // No orchestrator serves here (any more): nothing ran, and the invocation, stored for this member's
            // closed incarnation, is claimed by another member; the caller follows that run, as for a lost member.
            return Started.refused(closed.getMessage());
        }
        // its handle does not follow the start
        return Started.running(here.placedHere().startDurable(id, origin, placer, key), true);
    }
}
