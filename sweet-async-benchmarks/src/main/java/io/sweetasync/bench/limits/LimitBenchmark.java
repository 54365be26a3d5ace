package io.sweetasync.bench.limits;

import io.sweetasync.limit.LimitAlgorithm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every contender on every scenario (same seeds), finds the oracle (the best fixed limit by
 * sweeping), prints a table and the {@code RESULT} line. Scenarios:
 * <ol>
 * <li>steady overload: 40 slots, arrivals at 1.5x capacity;</li>
 * <li>capacity step: 20 -> 5 -> 20 slots, arrivals at 1.5x the capacity of 20 slots;</li>
 * <li>heavy tail: as 1, with service times whose p99 is 5x the median;</li>
 * <li>underload: 40 slots, arrivals at 50% of capacity.</li>
 * </ol>
 * Mean service time 50 ms; every adaptive contender starts at a limit of 20.
 */
public final class LimitBenchmark {

    static final int INITIAL_LIMIT = 20;
    static final double MEAN_SERVICE = 0.050;

    private LimitBenchmark() {
    }

    static List<Scenario> scenarios(double phaseSeconds) {
        double capacity40 = 40 / MEAN_SERVICE;
        double capacity20 = 20 / MEAN_SERVICE;
        return List.of(
                new Scenario("1 overload 1.5x", new int[] { 40 }, 3 * phaseSeconds, 1.5 * capacity40, MEAN_SERVICE, 0.3, 11),
                new Scenario("2 step 20>5>20", new int[] { 20, 5, 20 }, phaseSeconds, 1.5 * capacity20, MEAN_SERVICE, 0.3, 22),
                new Scenario("3 heavy tail", new int[] { 40 }, 3 * phaseSeconds, 1.5 * capacity40, MEAN_SERVICE, 0.692, 33),
                new Scenario("4 underload 0.5x", new int[] { 40 }, 3 * phaseSeconds, 0.5 * capacity40, MEAN_SERVICE, 0.3, 44));
    }

    static List<LimitModel.Contender> contenders() {
        List<LimitModel.Contender> all = new ArrayList<>();
        for (LimitAlgorithm algorithm : LimitAlgorithm.values()) {
            all.add(LimitModel.ours(algorithm));
        }
        all.add(LimitModel.netflixGradient2());
        all.add(LimitModel.netflixVegas());
        all.add(LimitModel.netflixAimd());
        return all;
    }

    /** The fixed limit with the best goodput (ties: lower p99), swept over 1..3x the largest slot count. */
    static Map.Entry<Integer, Simulation.Result> oracle(Scenario scenario) {
        int most = 0;
        for (int slots : scenario.slots()) {
            most = Math.max(most, slots);
        }
        int best = -1;
        Simulation.Result bestResult = null;
        for (int fixed = 1; fixed <= 3 * most; fixed++) {
            Simulation.Result result = Simulation.run(scenario, LimitModel.fixed(fixed).factory().apply(fixed));
            if (bestResult == null || result.goodput() > bestResult.goodput() * 1.0005
                    || (result.goodput() >= bestResult.goodput() * 0.9995 && result.p99Millis() < bestResult.p99Millis())) {
                best = fixed;
                bestResult = result;
            }
        }
        return Map.entry(best, bestResult);
    }

    public static void main(String[] args) {
        double phaseSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 40;
        List<Scenario> scenarios = scenarios(phaseSeconds);
        List<LimitModel.Contender> contenders = contenders();
        double goodputRatio = 0;
        double p99Ratio = 0;
        double settleRatio = 0;
        Map<String, Simulation.Result> underload = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "%-18s %-24s %10s %9s %9s %8s %9s %6s%n", "scenario", "contender", "goodput/s",
                "p50 ms", "p99 ms", "reject", "settle s", "limit");
        for (int s = 0; s < scenarios.size(); s++) {
            Scenario scenario = scenarios.get(s);
            Map.Entry<Integer, Simulation.Result> oracle = oracle(scenario);
            print(scenario, "oracle fixed " + oracle.getKey(), oracle.getValue());
            Simulation.Result adaptive = null;
            double bestPeerP99 = Double.MAX_VALUE;
            double bestPeerSettle = Double.MAX_VALUE;
            for (LimitModel.Contender contender : contenders) {
                Simulation.Result result = Simulation.run(scenario, contender.factory().apply(INITIAL_LIMIT));
                print(scenario, contender.name(), result);
                if (contender.name().equals("sweet ADAPTIVE")) {
                    adaptive = result;
                }
                if (contender.name().startsWith("netflix")) {
                    bestPeerP99 = Math.min(bestPeerP99, result.p99Millis());
                    bestPeerSettle = Math.min(bestPeerSettle, result.meanSettle());
                }
                if (s == 3) {
                    underload.put(contender.name(), result);
                }
            }
            if (s < 3) {
                goodputRatio += adaptive.goodput() / oracle.getValue().goodput() / 3;
                p99Ratio += adaptive.p99Millis() / bestPeerP99 / 3;
                settleRatio += adaptive.meanSettle() / Math.max(bestPeerSettle, 1e-3) / 3;
            }
            System.out.println();
        }
        System.out.printf(Locale.ROOT, "underload rejections: sweet ADAPTIVE %.4f%%%n",
                underload.get("sweet ADAPTIVE").rejectionRate() * 100);
        System.out.printf(Locale.ROOT, "RESULT adaptive/oracle goodput=%.3f adaptive/best-peer p99=%.3f adaptive/best-peer settle=%.3f%n",
                goodputRatio, p99Ratio, settleRatio);
    }

    private static void print(Scenario scenario, String name, Simulation.Result result) {
        StringBuilder settle = new StringBuilder();
        for (double seconds : result.settleSeconds()) {
            settle.append(settle.isEmpty() ? "" : "/").append(String.format(Locale.ROOT, "%.1f", seconds));
        }
        System.out.printf(Locale.ROOT, "%-18s %-24s %10.1f %9.1f %9.1f %7.2f%% %9s %6d%n", scenario.name(), name,
                result.goodput(), result.p50Millis(), result.p99Millis(), result.rejectionRate() * 100, settle,
                result.finalLimit());
    }
}
