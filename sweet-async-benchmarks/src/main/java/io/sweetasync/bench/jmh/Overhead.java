package io.sweetasync.bench.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the comparisons of {@code bench/overhead} in one go with a short but honest configuration, prints
 * the table and the {@code RESULT} line: throughput ratios (higher is better), then the ratios of bytes
 * allocated and of CPU time per operation (lower is better), which noise on a shared machine moves far
 * less than throughput.
 */
public final class Overhead {

    private Overhead() {
    }

    public static void main(String[] args) throws RunnerException, InterruptedException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        List<RunResult> results = new ArrayList<>();
        results.addAll(run(seconds, 1, SubmitBenchmark.class.getName(), FanOutBenchmark.class.getName(),
                StreamBenchmark.class.getName(), AnnotationBenchmark.class.getName()));
        Collection<RunResult> contended = run(seconds, 2, SubmitBenchmark.class.getName());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-48s %8s %14s %12s %12s %14s  %s%n", "benchmark", "threads", "ops/s", "error",
                "B/op", "CPU ns/op", "ops/s per fork");
        for (RunResult result : results) {
            print(result, 1);
        }
        for (RunResult result : contended) {
            print(result, 2);
        }
        double submit = score(results, "SubmitBenchmark.sweetAsync") / score(results, "SubmitBenchmark.rawExecutor");
        double submitCf = score(results, "SubmitBenchmark.sweetAsync")
                / score(results, "SubmitBenchmark.completableFuture");
        double submit2 = score(contended, "SubmitBenchmark.sweetAsync") / score(contended, "SubmitBenchmark.rawExecutor");
        double fanoutShape = score(results, "FanOutBenchmark.sweetAsyncTree")
                / score(results, "FanOutBenchmark.invokeAllFromVirtualThread");
        double streamSp = score(results, "StreamBenchmark.sweetAsyncPipeline")
                / score(results, "StreamBenchmark.submissionPublisher");
        RunResult unsampled = find(results, "AnnotationBenchmark.sweetAsyncAnnotationUnsampled");
        RunResult spring = find(results, "AnnotationBenchmark.springAsync");
        double[] memory = RetainedMemory.measure();
        System.out.printf(Locale.ROOT, "%nsubmit/raw (1 thread) %.3f, (2 threads) %.3f; submit/completableFuture %.3f%n",
                submit, submit2, submitCf);
        System.out.printf(Locale.ROOT, "fanout/invokeAll called from a virtual thread %.3f%n", fanoutShape);
        System.out.printf(Locale.ROOT, "stream/submissionPublisher %.3f%n", streamSp);
        System.out.printf(Locale.ROOT, "annotation/spring-async with resource sampling off %.3f, alloc %.2fx, cpu %.2fx%n",
                unsampled.getPrimaryResult().getScore() / spring.getPrimaryResult().getScore(),
                allocation(unsampled) / allocation(spring), cpu(unsampled) / cpu(spring));
        System.out.printf(Locale.ROOT, "retained heap per parked task: raw %.0f B, sweet async %.0f B (%.2fx)%n",
                memory[0], memory[1], memory[1] / memory[0]);
        // The goals' pairs, each ours over its baseline: throughput (higher is better), then bytes allocated
        // and CPU time per operation (lower is better), which noise on a shared machine moves far less.
        String[][] goals = { { "submit/raw", "SubmitBenchmark.sweetAsync", "SubmitBenchmark.rawExecutor" },
                { "fanout/invokeAll", "FanOutBenchmark.sweetAsyncTree", "FanOutBenchmark.invokeAll" },
                { "stream/reactor", "StreamBenchmark.sweetAsyncPipeline", "StreamBenchmark.reactorParallel" },
                { "annotation/spring-async", "AnnotationBenchmark.sweetAsyncAnnotation", "AnnotationBenchmark.springAsync" } };
        StringBuilder errors = new StringBuilder("throughput error bars (relative):");
        StringBuilder line = new StringBuilder("RESULT");
        for (String[] goal : goals) {
            errors.append(goal == goals[0] ? " " : ", ").append(goal[0], 0, goal[0].indexOf('/')).append(' ')
                    .append(relativeError(results, goal[1], goal[2]));
            line.append(String.format(Locale.ROOT, " %s=%.3f", goal[0], score(results, goal[1]) / score(results, goal[2])));
        }
        for (String kind : new String[] { "alloc", "cpu" }) {
            line.append(' ').append(kind);
            for (String[] goal : goals) {
                RunResult ours = find(results, goal[1]);
                RunResult theirs = find(results, goal[2]);
                double ratio = kind.equals("alloc") ? allocation(ours) / allocation(theirs) : cpu(ours) / cpu(theirs);
                line.append(String.format(Locale.ROOT, " %s=%.2fx", goal[0], ratio));
            }
        }
        System.out.println(errors);
        System.out.println(line);
    }

    private static Collection<RunResult> run(int seconds, int threads, String... includes) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder().forks(2).threads(threads).warmupIterations(2)
                .addProfiler("gc").addProfiler(CpuProfiler.class)
                .warmupTime(TimeValue.seconds(seconds)).measurementIterations(3)
                .measurementTime(TimeValue.seconds(seconds));
        for (String include : includes) {
            options.include(include.replace("$", "\\$") + "\\.");
        }
        return new Runner(options.build()).run();
    }

    /**
     * One row; the last column is each fork's own score: a benchmark whose forks settle in different states (the
     * fan-out's do, at about 85 or 200 trees a second, whichever build) shows it there, where the mean and its
     * error bar only look noisy.
     */
    private static void print(RunResult result, int threads) {
        StringBuilder forks = new StringBuilder();
        result.getBenchmarkResults().forEach(fork -> forks.append(forks.isEmpty() ? "" : " / ")
                .append(String.format(Locale.ROOT, "%,.1f", fork.getPrimaryResult().getScore())));
        System.out.printf(Locale.ROOT, "%-48s %8d %,14.1f %12.1f %,12.0f %,14.0f  %s%n", result.getParams().getBenchmark()
                .replace("io.sweetasync.bench.jmh.", ""), threads, result.getPrimaryResult().getScore(),
                result.getPrimaryResult().getScoreError(), allocation(result), cpu(result), forks);
    }

    /** Bytes allocated per operation (JMH's GC profiler), or NaN without it. */
    private static double allocation(RunResult result) {
        var norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? Double.NaN : norm.getScore();
    }

    /** CPU nanoseconds per operation ({@link CpuProfiler}), or NaN without it. */
    static double cpu(RunResult result) {
        var norm = result.getSecondaryResults().get(CpuProfiler.LABEL);
        return norm == null ? Double.NaN : norm.getScore();
    }

    /** The ratio's relative error bar: the two measurements' relative errors added (first order). */
    private static String relativeError(Collection<RunResult> results, String ours, String baseline) {
        var a = find(results, ours).getPrimaryResult();
        var b = find(results, baseline).getPrimaryResult();
        return String.format(Locale.ROOT, "±%.0f%%", 100 * (a.getScoreError() / a.getScore() + b.getScoreError() / b.getScore()));
    }

    private static RunResult find(Collection<RunResult> results, String name) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + name));
    }

    private static double score(Collection<RunResult> results, String name) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + name)).getPrimaryResult().getScore();
    }
}
