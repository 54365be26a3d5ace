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
        System.out.printf(Locale.ROOT, "%-48s %8s %14s %12s %12s %14s%n", "benchmark", "threads", "ops/s", "error", "B/op",
                "CPU ns/op");
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
        double fanout = score(results, "FanOutBenchmark.sweetAsyncTree") / score(results, "FanOutBenchmark.invokeAll");
        double fanoutShape = score(results, "FanOutBenchmark.sweetAsyncTree")
                / score(results, "FanOutBenchmark.invokeAllFromVirtualThread");
        double stream = score(results, "StreamBenchmark.sweetAsyncPipeline")
                / score(results, "StreamBenchmark.reactorParallel");
        double streamSp = score(results, "StreamBenchmark.sweetAsyncPipeline")
                / score(results, "StreamBenchmark.submissionPublisher");
        double annotation = score(results, "AnnotationBenchmark.sweetAsyncAnnotation")
                / score(results, "AnnotationBenchmark.springAsync");
        double[] memory = RetainedMemory.measure();
        System.out.printf(Locale.ROOT, "%nsubmit/raw (1 thread) %.3f, (2 threads) %.3f; submit/completableFuture %.3f%n",
                submit, submit2, submitCf);
        System.out.printf(Locale.ROOT, "fanout/invokeAll called from a virtual thread %.3f%n", fanoutShape);
        System.out.printf(Locale.ROOT, "stream/submissionPublisher %.3f%n", streamSp);
        System.out.printf(Locale.ROOT, "retained heap per parked task: raw %.0f B, sweet async %.0f B (%.2fx)%n",
                memory[0], memory[1], memory[1] / memory[0]);
        // Allocation per operation, which noise on a shared machine does not move: ours over the baseline's.
        double submitAlloc = allocation(results, "SubmitBenchmark.sweetAsync") / allocation(results, "SubmitBenchmark.rawExecutor");
        double fanoutAlloc = allocation(results, "FanOutBenchmark.sweetAsyncTree") / allocation(results, "FanOutBenchmark.invokeAll");
        double streamAlloc = allocation(results, "StreamBenchmark.sweetAsyncPipeline")
                / allocation(results, "StreamBenchmark.reactorParallel");
        double annotationAlloc = allocation(results, "AnnotationBenchmark.sweetAsyncAnnotation")
                / allocation(results, "AnnotationBenchmark.springAsync");
        // CPU time per operation (this JVM's, all threads), which other processes on the machine do not add to.
        double submitCpu = cpu(results, "SubmitBenchmark.sweetAsync") / cpu(results, "SubmitBenchmark.rawExecutor");
        double fanoutCpu = cpu(results, "FanOutBenchmark.sweetAsyncTree") / cpu(results, "FanOutBenchmark.invokeAll");
        double streamCpu = cpu(results, "StreamBenchmark.sweetAsyncPipeline")
                / cpu(results, "StreamBenchmark.reactorParallel");
        double annotationCpu = cpu(results, "AnnotationBenchmark.sweetAsyncAnnotation")
                / cpu(results, "AnnotationBenchmark.springAsync");
        System.out.printf(Locale.ROOT, "throughput error bars (relative): submit %s, fanout %s, stream %s, annotation %s%n",
                relativeError(results, "SubmitBenchmark.sweetAsync", "SubmitBenchmark.rawExecutor"),
                relativeError(results, "FanOutBenchmark.sweetAsyncTree", "FanOutBenchmark.invokeAll"),
                relativeError(results, "StreamBenchmark.sweetAsyncPipeline", "StreamBenchmark.reactorParallel"),
                relativeError(results, "AnnotationBenchmark.sweetAsyncAnnotation", "AnnotationBenchmark.springAsync"));
        System.out.printf(Locale.ROOT,
                "RESULT submit/raw=%.3f fanout/invokeAll=%.3f stream/reactor=%.3f annotation/spring-async=%.3f "
                        + "alloc submit/raw=%.2fx fanout/invokeAll=%.2fx stream/reactor=%.2fx annotation/spring-async=%.2fx "
                        + "cpu submit/raw=%.2fx fanout/invokeAll=%.2fx stream/reactor=%.2fx annotation/spring-async=%.2fx%n",
                submit, fanout, stream, annotation, submitAlloc, fanoutAlloc, streamAlloc, annotationAlloc,
                submitCpu, fanoutCpu, streamCpu, annotationCpu);
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

    private static void print(RunResult result, int threads) {
        System.out.printf(Locale.ROOT, "%-48s %8d %,14.1f %12.1f %,12.0f %,14.0f%n", result.getParams().getBenchmark()
                .replace("io.sweetasync.bench.jmh.", ""), threads, result.getPrimaryResult().getScore(),
                result.getPrimaryResult().getScoreError(), allocation(result), cpu(result));
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

    private static double cpu(Collection<RunResult> results, String name) {
        return cpu(find(results, name));
    }

    private static double allocation(Collection<RunResult> results, String name) {
        return allocation(find(results, name));
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
