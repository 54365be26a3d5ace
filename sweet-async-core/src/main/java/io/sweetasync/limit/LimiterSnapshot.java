package io.sweetasync.limit;

import java.io.Serializable;
import java.time.Duration;

/**
 * The state of one concurrency group at one moment, and why its limit is where it is. Plain values.
 *
 * <pre>{@code
 * for (LimiterSnapshot group : orchestrator.limiters()) {
 *     System.out.printf("%s: %d/%d in flight, %d queued, %s, baseline %s, capacity %.0f/s%n", group.group(),
 *             group.inFlight(), group.limit(), group.queued(), group.phase(), group.baselineLatency(),
 *             group.estimatedCapacity());
 * }
 * }</pre>
 *
 * @param group             the group's name
 * @param algorithm         its limit algorithm
 * @param limit             the current limit
 * @param inFlight          permits held now
 * @param queued            tasks waiting for a permit now
 * @param accepted          permits granted so far
 * @param rejected          tasks rejected so far, for any {@link RejectionReason}
 * @param noLoadLatency     lowest latency of the last 500 to 1000 samples; zero before any sample
 * @param shortLatency      exponential average of latency over about the last 10 samples
 * @param longLatency       exponential average of latency over about the last 500 samples
 * @param queueCapacity     configured queue capacity
 * @param maxWait           configured maximum wait
 * @param phase             what the limit algorithm is doing ({@link LimitPhase})
 * @param baselineLatency   the algorithm's latency without queueing; zero if it keeps none or has not
 *                          measured it yet
 * @param estimatedCapacity completions per second the algorithm believes the downstream sustains; zero
 *                          if it keeps no such estimate or has not measured it yet
 * @param clusterLimit      for a {@linkplain LimiterConfig#clusterWide() cluster-wide} group, the limit its
 *                          members split ({@code limit} is then at most this member's share); zero for a
 *                          group whose limits are per member
 * @param members           the number of members {@code clusterLimit} is split between now; zero for a
 *                          group whose limits are per member, or before the cluster told it
 */
public record LimiterSnapshot(String group, LimitAlgorithm algorithm, int limit, int inFlight, int queued,
        long accepted, long rejected, Duration noLoadLatency, Duration shortLatency, Duration longLatency,
        int queueCapacity, Duration maxWait, LimitPhase phase, Duration baselineLatency, double estimatedCapacity,
        int clusterLimit, int members) implements Serializable {

    /** Whether its members split {@link #clusterLimit()} between them. */
    public boolean isClusterWide() {
        return clusterLimit > 0;
    }

    /** Whether every permit is taken and tasks are waiting. */
    public boolean isSaturated() {
        return inFlight >= limit && queued > 0;
    }
}
