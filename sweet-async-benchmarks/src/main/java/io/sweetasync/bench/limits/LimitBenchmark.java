package io.sweetasync.bench.limits;

import io.sweetasync.limit.LimitAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Runs every contender on every scenario of {@link Scenarios} with {@value Scenarios#SEEDS} seeds,
 * finds the oracle (the fixed limit with the best mean goodput, by sweeping), prints a table, one verdict
 * line per scenario and the {@code RESULT} line. Every adaptive contender starts at a limit of 20,
 * bounded to [1, 200].
 *
 * <p>Arguments: {@code [phase-seconds (default 30)] [--ports] [scenario-name-filter]}; {@code --ports}
 * adds our own ports of the Netflix algorithms.
 */
public final class LimitBenchmark {

    static final int INITIAL_LIMIT = 20;
    static final double GOODPUT_GOAL = 0.9;

    private LimitBenchmark() {
    }

    static List<LimitModel.Contender> contenders(boolean ports) {
        List<LimitModel.Contender> all = new ArrayList<>();
        all.add(LimitModel.ours(LimitAlgorithm.ADAPTIVE));
        if (ports) {
            all.add(LimitModel.ours(LimitAlgorithm.GRADIENT2));
            all.add(LimitModel.ours(LimitAlgorithm.VEGAS));
            all.add(LimitModel.ours(LimitAlgorithm.AIMD));
        }
        all.add(LimitModel.netflixGradient2());
        all.add(LimitModel.netflixVegas());
        all.add(LimitModel.netflixAimd());
        return all;
    }

    /** The mean over the scenario's seeds. */
    static Result run(Scenario scenario, LimitModel.Contender contender, int initial) {
        return Result.mean(IntStream.range(0, Scenarios.SEEDS)
                .mapToObj(i -> Simulation.run(scenario.withSeed(scenario.seed() + i), contender.factory().apply(initial)))
                .toList());
    }

    /** A fixed limit and its mean result. */
    record Oracle(int limit, Result result) {
    }

    /**
     * The fixed limit with the best mean goodput (within 0.05%, the lower p99), swept over 1..16 and then
     * in steps of 10% up to three times the most the ideal limit reaches, refined around the best.
     */
    static Oracle oracle(Scenario scenario) {
        double most = Simulation.run(scenario, LimitModel.fixed(1).factory().apply(1)).idealMax();
        TreeSet<Integer> candidates = new TreeSet<>();
        for (double value = 1; value <= Math.min(LimitModel.MAX, 3 * most); value = Math.max(value + 1, value * 1.1)) {
            candidates.add((int) Math.round(value));
        }
        Oracle best = null;
        for (int limit : candidates) {
            best = better(best, limit, scenario);
        }
        int step = Math.max(1, best.limit() / 10);
        for (int limit = Math.max(1, best.limit() - step); limit <= Math.min(LimitModel.MAX, best.limit() + step); limit++) {
            if (!candidates.contains(limit)) {
                best = better(best, limit, scenario);
            }
        }
        return best;
    }

    private static Oracle better(Oracle best, int limit, Scenario scenario) {
        Result result = run(scenario, LimitModel.fixed(limit), limit);
        if (best == null || result.goodput() > best.result().goodput() * 1.0005
                || (result.goodput() >= best.result().goodput() * 0.9995
                        && result.p99Millis() < best.result().p99Millis())) {
            return new Oracle(limit, result);
        }
        return best;
    }

    public static void main(String[] args) {
        double phase = 30;
        boolean ports = false;
        String filter = "";
        for (String arg : args) {
            if (arg.equals("--ports")) {
                ports = true;
            }
            else if (arg.matches("[0-9.]+")) {
                phase = Double.parseDouble(arg);
            }
            else {
                filter = arg;
            }
        }
        List<LimitModel.Contender> contenders = contenders(ports);
        Report report = new Report();
        for (Scenario scenario : Scenarios.all(phase)) {
            if (!scenario.name().contains(filter)) {
                continue;
            }
            Oracle oracle = oracle(scenario);
            report.row(scenario, "oracle fixed " + oracle.limit(), oracle.result(), oracle.result());
            List<Result> netflix = new ArrayList<>();
            Result adaptive = null;
            for (LimitModel.Contender contender : contenders) {
                Result result = run(scenario, contender, INITIAL_LIMIT);
                report.row(scenario, contender.name(), result, oracle.result());
                if (contender.name().startsWith("netflix")) {
                    netflix.add(result);
                }
                else if (contender.name().equals("sweet ADAPTIVE")) {
                    adaptive = result;
                }
            }
            report.verdict(scenario, adaptive, oracle.result(), netflix);
        }
        report.result();
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
