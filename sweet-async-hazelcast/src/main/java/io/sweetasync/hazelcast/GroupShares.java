package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.spi.ClusterHost;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells the attached orchestrator where this member stands among the live members, so that its
 * cluster-wide groups take their share of their limits: at attach, and at every join and leave.
 *
 * <p>The position is this member's index in Hazelcast's member list, which is in join order (the oldest
 * member first) and the same on every member; the count is the list's size. Each update reads the list as it
 * is now and hands it over under {@link #lock}, so updates racing each other (attach and a membership event)
 * cannot leave an older membership in force.
 */
final class GroupShares {

    private static final System.Logger LOG = System.getLogger(GroupShares.class.getName());

    private final HazelcastInstance hazelcast;
    private final ReentrantLock lock = new ReentrantLock();

    GroupShares(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    void update(ClusterHost host) {
        lock.lock();
        try {
            Set<Member> members = hazelcast.getCluster().getMembers();
            int position = 0;
            for (Member member : members) {
                if (member.localMember()) {
                    host.membersChanged(position, members.size());
                    return;
                }
                position++;
            }
            // Not in its own member list: this member is leaving; its shares no longer matter.
        }
        catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not update the shares of this member's cluster-wide groups", ex);
        }
        finally {
            lock.unlock();
        }
    }
}
