package io.sweetasync.bench.limits;

import io.sweetasync.limit.Limit;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.util.function.IntFunction;

/** A limit algorithm as the simulator sees it: ours or Netflix's, behind one interface. */
interface LimitModel {

    int limit();

    void onSample(long startNanos, long rttNanos, int inflight, boolean dropped);

    /** The algorithm's latency baseline now, 0 if it keeps none. */
    default double baselineMillis() {
        return 0;
    }

    /** A named way to make fresh models from an initial limit. */
    record Contender(String name, IntFunction<LimitModel> factory) {

        /** The same algorithm, always started from {@code initial}, under another name. */
        Contender withInitial(String newName, int initial) {
            return new Contender(newName, ignored -> factory.apply(initial));
        }
    }

    int MIN = 1;
    int MAX = 200;

    static Contender ours(LimitAlgorithm algorithm) {
        return new Contender("sweet " + algorithm, initial -> {
            Limit limit = Limit.of(LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(initial, MIN, MAX));
            return new LimitModel() {
                @Override
                public int limit() {
                    return limit.limit();
                }

                @Override
                public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
                    limit.onSample(startNanos, rttNanos, inflight, dropped);
                }

                @Override
                public double baselineMillis() {
                    return limit.baselineNanos() / 1e6;
                }
            };
        });
    }

    static Contender fixed(int value) {
        return ours(LimitAlgorithm.FIXED).withInitial("fixed " + value, value);
    }

    private static LimitModel netflix(com.netflix.concurrency.limits.Limit limit) {
        return new LimitModel() {
            @Override
            public int limit() {
                return limit.getLimit();
            }

            @Override
            public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
                limit.onSample(startNanos, rttNanos, inflight, dropped);
            }
        };
    }

    static Contender netflixGradient2() {
        return new Contender("netflix Gradient2Limit", initial -> netflix(com.netflix.concurrency.limits.limit.Gradient2Limit
                .newBuilder().initialLimit(initial).minLimit(MIN).maxConcurrency(MAX).build()));
    }

    static Contender netflixVegas() {
        return new Contender("netflix VegasLimit", initial -> netflix(com.netflix.concurrency.limits.limit.VegasLimit
                .newBuilder().initialLimit(initial).maxConcurrency(MAX).build()));
    }

    static Contender netflixAimd() {
        return new Contender("netflix AIMDLimit", initial -> netflix(com.netflix.concurrency.limits.limit.AIMDLimit
                .newBuilder().initialLimit(initial).minLimit(MIN).maxLimit(MAX).build()));
    }
}
