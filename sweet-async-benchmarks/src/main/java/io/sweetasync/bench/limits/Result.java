package io.sweetasync.bench.limits;

import java.util.List;

/**
 * What one run (or the mean of several seeds) measured.
 *
 * @param goodput        timely responses per second over the whole run
 * @param p50Millis      median latency of admitted requests, arrival (limiter wait included) to outcome
 * @param p99Millis      99th percentile of the same
 * @param rejectionRate  share of requests the limiter rejected
 * @param settleSeconds  per phase, see {@link LimitTrace#settleSeconds}
 * @param bandFraction   share of the run the limit lay within ±20% of the ideal
 * @param stuckSeconds   seconds at the minimum limit while the downstream had spare capacity
 * @param finalLimit     the limit at the end
 * @param baselineMillis the algorithm's latency baseline at the end (0 if it has none)
 * @param idealMax       the most the downstream's ideal limit reached during the run
 */
record Result(double goodput, double p50Millis, double p99Millis, double rejectionRate, double[] settleSeconds,
        double bandFraction, double stuckSeconds, int finalLimit, double baselineMillis, double idealMax) {

    /** The mean of several seeds' results; settle per phase is the worst seed's. */
    static Result mean(List<Result> runs) {
        int n = runs.size();
        double[] settle = new double[runs.getFirst().settleSeconds().length];
        for (int p = 0; p < settle.length; p++) {
            for (Result run : runs) {
                settle[p] = Double.isNaN(run.settleSeconds()[p]) ? Double.NaN
                        : Math.max(settle[p], run.settleSeconds()[p]);
            }
        }
        return new Result(runs.stream().mapToDouble(Result::goodput).sum() / n,
                runs.stream().mapToDouble(Result::p50Millis).sum() / n,
                runs.stream().mapToDouble(Result::p99Millis).sum() / n,
                runs.stream().mapToDouble(Result::rejectionRate).sum() / n, settle,
                runs.stream().mapToDouble(Result::bandFraction).sum() / n,
                runs.stream().mapToDouble(Result::stuckSeconds).sum() / n, runs.getFirst().finalLimit(),
                runs.stream().mapToDouble(Result::baselineMillis).sum() / n,
                runs.stream().mapToDouble(Result::idealMax).max().orElse(0));
    }
}
