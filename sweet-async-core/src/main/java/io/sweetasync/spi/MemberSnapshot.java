package io.sweetasync.spi;

import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.List;
import java.util.Objects;

/**
 * One member's live task trees and concurrency groups, labelled with the member.
 *
 * <pre>{@code
 * for (MemberSnapshot member : cluster.members()) {
 *     System.out.println(member.member() + ": " + member.roots().size() + " live trees");
 * }
 * }</pre>
 *
 * @param member   the member's name
 * @param local    whether it is the member that asked
 * @param roots    its live root tasks with their subtrees
 * @param limiters its groups' limiter snapshots
 */
public record MemberSnapshot(String member, boolean local, List<TaskInfo> roots, List<LimiterSnapshot> limiters) {

    public MemberSnapshot {
        Objects.requireNonNull(member, "member");
        roots = List.copyOf(roots);
        limiters = List.copyOf(limiters);
    }
}
