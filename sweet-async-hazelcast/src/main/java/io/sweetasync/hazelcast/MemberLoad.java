package io.sweetasync.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one member publishes about its load, a few times a second.
 *
 * @param member   its name
 * @param live     its live tasks, not counting those waiting for work placed elsewhere
 * @param placedBy how many of those were placed there by each other member's cluster, by its placer id (one
 *                 per {@code HazelcastTaskCluster}: a member whose orchestrator was rebuilt places under a new one)
 * @param headroom per group: limit minus in flight minus queued (zero or less: saturated), or
 *                 {@link MemberLoads#NO_SHARE} where the limit is 0 (a cluster-wide group's zero share)
 * @param handlers the task handlers registered there
 * @param durableOwner the store incarnation it runs durable tasks as, 0 without a store (then it takes none)
 */
record MemberLoad(String member, int live, Map<UUID, Integer> placedBy, Map<String, Integer> headroom,
        Set<String> handlers, long durableOwner) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    MemberLoad {
        placedBy = Map.copyOf(placedBy);
        headroom = Map.copyOf(headroom);
        handlers = Set.copyOf(handlers);
    }
}
