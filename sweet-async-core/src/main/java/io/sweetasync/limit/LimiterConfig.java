package io.sweetasync.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * How a concurrency group admits work. Immutable; {@code with...} methods return copies.
 * Defaults: {@link LimitAlgorithm#ADAPTIVE}, initial limit 20, limits between 1 and 1000, at most
 * 1000 tasks waiting, each for at most 30 seconds, limits per member.
 *
 * <h2>Cluster-wide groups</h2>
 * In a cluster ({@code TaskOrchestrator.builder().cluster(...)}) every member has its own limiter per group,
 * and by default each admits up to the configured limit: the cluster as a whole admits up to that limit
 * times the number of members. A group {@linkplain #withClusterWide cluster-wide} instead splits its
 * {@link #clusterLimit()} (the limit of {@link LimitAlgorithm#FIXED}, the {@code maxLimit} of the adaptive
 * algorithms) across the live members, so that the shares add up to it exactly: with {@code L} permits and
 * {@code n} members each member gets {@code L / n}, and the {@code L mod n} members that joined first one
 * more (members in cluster order, oldest first; every member sees the same order). With fewer permits than
 * members the members that joined last get a share of 0: they admit no work of the group (it waits in
 * their queue, up to {@code maxWait}, for a member to leave), and placement sends {@code anywhere()} tasks
 * of the group to members with a share. An adaptive algorithm goes on moving each member's limit between
 * {@code minLimit} and {@code maxLimit} from its own samples, and the member admits up to the lower of that
 * limit and its share (while the share holds the member below {@link LimitAlgorithm#ADAPTIVE}'s limit, its
 * windows are not busy enough to judge, and that limit stays where it is). Every member must configure the
 * group the same way.
 *
 * <p>The shares are recomputed whenever a member joins or leaves, as each member hears of it. Work already
 * admitted is never interrupted: a member whose share shrank below its work in flight admits nothing more
 * until enough of it has ended. So the sum of work in flight may briefly exceed the cluster's limit, after
 * a join, by what the older members had admitted above their new shares.
 *
 * <pre>{@code
 * LimiterConfig pricing = LimiterConfig.defaults()
 *         .withAlgorithm(LimitAlgorithm.ADAPTIVE)
 *         .withLimits(8, 2, 64)
 *         .withQueueCapacity(200)
 *         .withMaxWait(Duration.ofSeconds(2));
 * }</pre>
 *
 * @param algorithm     how the limit moves
 * @param initialLimit  the limit to start from
 * @param minLimit      the lowest the limit may go (at least 1)
 * @param maxLimit      the highest the limit may go
 * @param queueCapacity how many tasks may wait for a permit; 0 rejects at once when at the limit
 * @param maxWait       how long a task may wait for a permit before it is rejected
 * @param clusterWide   whether the members of a cluster split {@link #clusterLimit()} between them
 *                      (see above) rather than each admitting up to it
 */
public record LimiterConfig(LimitAlgorithm algorithm, int initialLimit, int minLimit, int maxLimit, int queueCapacity,
        Duration maxWait, boolean clusterWide) {

    public LimiterConfig {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(maxWait, "maxWait");
        if (minLimit < 1) {
            throw new IllegalArgumentException("minLimit must be at least 1, was " + minLimit);
        }
        if (maxLimit < minLimit) {
            throw new IllegalArgumentException("maxLimit " + maxLimit + " must not be less than minLimit " + minLimit);
        }
        if (initialLimit < minLimit || initialLimit > maxLimit) {
            throw new IllegalArgumentException("initialLimit " + initialLimit + " must be between minLimit " + minLimit
                    + " and maxLimit " + maxLimit);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must not be negative, was " + queueCapacity);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
    }

    /** A group whose limits are per member. */
    public LimiterConfig(LimitAlgorithm algorithm, int initialLimit, int minLimit, int maxLimit, int queueCapacity,
            Duration maxWait) {
        this(algorithm, initialLimit, minLimit, maxLimit, queueCapacity, maxWait, false);
    }

    /** The defaults described above. */
    public static LimiterConfig defaults() {
        return new LimiterConfig(LimitAlgorithm.ADAPTIVE, 20, 1, 1000, 1000, Duration.ofSeconds(30));
    }

    /** This configuration with {@code value} as its algorithm: {@code defaults().withAlgorithm(LimitAlgorithm.AIMD)}. */
    public LimiterConfig withAlgorithm(LimitAlgorithm value) {
        return new LimiterConfig(value, initialLimit, minLimit, maxLimit, queueCapacity, maxWait, clusterWide);
    }

    /** Sets the initial, minimum and maximum limits together (they are validated together). */
    public LimiterConfig withLimits(int initial, int min, int max) {
        return new LimiterConfig(algorithm, initial, min, max, queueCapacity, maxWait, clusterWide);
    }

    /**
     * This configuration with room for {@code value} tasks waiting for a permit (more are rejected at once; 0:
     * none waits).
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public LimiterConfig withQueueCapacity(int value) {
        return new LimiterConfig(algorithm, initialLimit, minLimit, maxLimit, value, maxWait, clusterWide);
    }

    /**
     * This configuration with {@code value} as the longest a task waits for a permit before it is rejected
     * ({@code Duration.ofSeconds(2)}; a huge value: practically for ever).
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public LimiterConfig withMaxWait(Duration value) {
        return new LimiterConfig(algorithm, initialLimit, minLimit, maxLimit, queueCapacity, value, clusterWide);
    }

    /**
     * Whether the members of a cluster split the group's {@link #clusterLimit()} between them (see above).
     * Without a cluster it changes nothing.
     *
     * <pre>{@code
     * // at most 12 calls to the partner's API at once, however many replicas run
     * LimiterConfig partner = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
     *         .withLimits(12, 1, 12).withClusterWide(true);
     * }</pre>
     */
    public LimiterConfig withClusterWide(boolean value) {
        return new LimiterConfig(algorithm, initialLimit, minLimit, maxLimit, queueCapacity, maxWait, value);
    }

    /**
     * The limit a {@linkplain #clusterWide() cluster-wide} group splits across members: the limit itself
     * for {@link LimitAlgorithm#FIXED} ({@code initialLimit}), the highest the limit may go
     * ({@code maxLimit}) for the algorithms that move it.
     */
    public int clusterLimit() {
        return algorithm == LimitAlgorithm.FIXED ? initialLimit : maxLimit;
    }

    /**
     * The part of {@link #clusterLimit()} that the member at {@code position} (0 = joined first) among
     * {@code members} live members gets: {@code L / n}, plus one for the first {@code L mod n} members. The
     * shares of positions {@code 0..n-1} add up to {@code L}; with fewer permits than members, the last
     * members get 0.
     *
     * <pre>{@code
     * config.withLimits(10, 1, 10).withAlgorithm(LimitAlgorithm.FIXED).share(0, 3); // 4; positions 1 and 2: 3
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code members} is less than 1, or {@code position} is not
     *                                  between 0 and {@code members - 1}
     */
    public int share(int position, int members) {
        if (members < 1) {
            throw new IllegalArgumentException("members must be at least 1 to split a cluster-wide limit, was " + members);
        }
        if (position < 0 || position >= members) {
            throw new IllegalArgumentException("position must be between 0 and " + (members - 1) + " among " + members
                    + " members, was " + position);
        }
        int limit = clusterLimit();
        return limit / members + (position < limit % members ? 1 : 0);
    }
}
