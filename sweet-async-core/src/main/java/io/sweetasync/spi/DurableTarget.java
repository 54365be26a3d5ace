package io.sweetasync.spi;

import java.util.Objects;

/**
 * The member a {@link TaskCluster} chose to run a durable task on, and the store incarnation it runs
 * durable tasks as: the submitting member stores the invocation owned by that incarnation, then asks the
 * cluster to start it there ({@link TaskCluster#startDurable}).
 *
 * <pre>{@code
 * DurableTarget target = cluster.chooseDurable("send-invoice", null); // no group; null back: run it here
 * }</pre>
 *
 * @param member the member's name, as {@link TaskCluster#memberName()} gives it there
 * @param owner  the incarnation of that member's orchestrator in the shared {@link TaskStore}
 */
public record DurableTarget(String member, long owner) {

    public DurableTarget {
        Objects.requireNonNull(member, "member");
        if (owner < 1) {
            throw new IllegalArgumentException("a durable target needs the store incarnation of its member, was "
                    + owner + " for " + member);
        }
    }
}
