package io.sweetasync.limit;

import java.time.Duration;

/**
 * The state of one concurrency group at one moment. Plain values, cheap to take.
 *
 * <pre>{@code
 * for (LimiterSnapshot group : orchestrator.limiters()) {
 *     System.out.printf("%s: %d/%d in flight, %d queued%n", group.group(), group.inFlight(), group.limit(), group.queued());
 * }
 * }</pre>
 *
 * @param group           the group's name
 * @param algorithm       its limit algorithm
 * @param limit           the current limit
 * @param inFlight        permits held now
 * @param queued          tasks waiting for a permit now
 * @param accepted        permits granted so far
 * @param rejected        tasks rejected so far, for any {@link RejectionReason}
 * @param noLoadLatency   lowest recent latency (the uncongested estimate); zero before any sample
 * @param shortLatency    exponential average of latency over about the last 10 samples
 * @param longLatency     exponential average of latency over about the last 500 samples
 * @param queueCapacity   configured queue capacity
 * @param maxWait         configured maximum wait
 */
public record LimiterSnapshot(String group, LimitAlgorithm algorithm, int limit, int inFlight, int queued,
        long accepted, long rejected, Duration noLoadLatency, Duration shortLatency, Duration longLatency,
        int queueCapacity, Duration maxWait) {

    /** Whether every permit is taken and tasks are waiting. */
    public boolean isSaturated() {
        return inFlight >= limit && queued > 0;
    }
}
