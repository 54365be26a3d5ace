package io.sweetasync.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * How a concurrency group admits work. Immutable; {@code with...} methods return copies.
 * Defaults: {@link LimitAlgorithm#ADAPTIVE}, initial limit 20, limits between 1 and 1000, at most
 * 1000 tasks waiting, each for at most 30 seconds.
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
 */
public record LimiterConfig(LimitAlgorithm algorithm, int initialLimit, int minLimit, int maxLimit, int queueCapacity,
        Duration maxWait) {

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

    /** The defaults described above. */
    public static LimiterConfig defaults() {
        return new LimiterConfig(LimitAlgorithm.ADAPTIVE, 20, 1, 1000, 1000, Duration.ofSeconds(30));
    }

    public LimiterConfig withAlgorithm(LimitAlgorithm value) {
        return new LimiterConfig(value, initialLimit, minLimit, maxLimit, queueCapacity, maxWait);
    }

    /** Sets the initial, minimum and maximum limits together (they are validated together). */
    public LimiterConfig withLimits(int initial, int min, int max) {
        return new LimiterConfig(algorithm, initial, min, max, queueCapacity, maxWait);
    }

    public LimiterConfig withQueueCapacity(int value) {
        return new LimiterConfig(algorithm, initialLimit, minLimit, maxLimit, value, maxWait);
    }

    public LimiterConfig withMaxWait(Duration value) {
        return new LimiterConfig(algorithm, initialLimit, minLimit, maxLimit, queueCapacity, value);
    }
}
