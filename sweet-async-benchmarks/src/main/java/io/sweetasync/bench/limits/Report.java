package io.sweetasync.bench.limits;

import java.util.List;
import java.util.Locale;

/** Prints the table, one verdict per scenario for ADAPTIVE, and the closing {@code RESULT} line. */
final class Report {

    private int scenarios;
    private int goodputMet;
    private double worstGoodput = Double.MAX_VALUE;
    private double logP99Sum;
    private int neverSettled;
    private double stuck;

    Report() {
        System.out.printf(Locale.ROOT, "%-26s %-22s %9s %6s %7s %7s %7s %-17s %5s %5s %5s %6s%n", "scenario", "contender",
                "goodput/s", "xbest", "p50 ms", "p99 ms", "reject", "settle s", "band", "min s", "limit", "base");
    }

    void row(Scenario scenario, String contender, Result result, Result oracle) {
        System.out.printf(Locale.ROOT, "%-26s %-22s %9.1f %6.3f %7.1f %7.1f %6.2f%% %-17s %4.0f%% %5.1f %5d %6s%n",
                scenario.name(), contender, result.goodput(), result.goodput() / oracle.goodput(), result.p50Millis(),
                result.p99Millis(), result.rejectionRate() * 100, settle(result.settleSeconds()),
                result.bandFraction() * 100, result.stuckSeconds(), result.finalLimit(),
                result.baselineMillis() > 0 ? String.format(Locale.ROOT, "%.1f", result.baselineMillis()) : "-");
    }

    static String settle(double[] phases) {
        StringBuilder text = new StringBuilder();
        for (double seconds : phases) {
            text.append(text.isEmpty() ? "" : "/");
            text.append(Double.isNaN(seconds) ? "n/a"
                    : Double.isInfinite(seconds) ? "never" : String.format(Locale.ROOT, "%.1f", seconds));
        }
        return text.toString();
    }

    void verdict(Scenario scenario, Result adaptive, Result oracle, List<Result> netflix) {
        Result bestP99 = netflix.stream().min((a, b) -> Double.compare(a.p99Millis(), b.p99Millis())).orElseThrow();
        double goodput = adaptive.goodput() / oracle.goodput();
        double p99 = adaptive.p99Millis() / bestP99.p99Millis();
        boolean never = false;
        for (double seconds : adaptive.settleSeconds()) {
            never |= Double.isInfinite(seconds);
        }
        scenarios++;
        goodputMet += goodput >= LimitBenchmark.GOODPUT_GOAL ? 1 : 0;
        worstGoodput = Math.min(worstGoodput, goodput);
        logP99Sum += Math.log(p99);
        neverSettled += never ? 1 : 0;
        stuck += adaptive.stuckSeconds();
        System.out.printf(Locale.ROOT, "  ADAPTIVE: goodput %.3f of the oracle's%s, p99 %.3f of the best Netflix p99 "
                + "(%.1f ms), settle %s s, %.1f s at the minimum with spare capacity%n%n", goodput,
                goodput >= LimitBenchmark.GOODPUT_GOAL ? "" : " (below " + LimitBenchmark.GOODPUT_GOAL + ")", p99,
                bestP99.p99Millis(), settle(adaptive.settleSeconds()), adaptive.stuckSeconds());
    }

    void result() {
        System.out.printf(Locale.ROOT, "RESULT scenarios=%d goodput>=%.1f-of-oracle=%d/%d worst-goodput=%.3f "
                + "p99/best-netflix-geomean=%.3f never-settled=%d stuck-at-min-s=%.1f%n", scenarios,
                LimitBenchmark.GOODPUT_GOAL, goodputMet, scenarios, worstGoodput, Math.exp(logP99Sum / scenarios),
                neverSettled, stuck);
    }
}
