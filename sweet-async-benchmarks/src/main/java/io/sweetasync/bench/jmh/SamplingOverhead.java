package io.sweetasync.bench.jmh;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link SubmitBenchmark} (one task on the virtual runtime, where {@code MEASURE} reads no counter) per
 * tracking mode and prints the cost of each as a throughput ratio; then {@link PlatformFanOutBenchmark}
 * (short tasks on the {@code platform} runtime, where {@code MEASURE} reads the thread's CPU-time counter at
 * each attempt's start and end) with the CPU time per child, against a fixed pool's {@code invokeAll}.
 */
public final class SamplingOverhead {

    private SamplingOverhead() {
    }

    public static void main(String[] args) throws RunnerException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Options options = timed(seconds)
                .include(SubmitBenchmark.class.getName() + ".sweetAsync")
                .param("tracking", "OFF", "MEASURE", "MEASURE_AND_SAMPLE")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> byMode = new TreeMap<>();
        for (RunResult result : results) {
            byMode.put(result.getParams().getParam("tracking"), result.getPrimaryResult().getScore());
        }
        double off = byMode.get("OFF");
        System.out.println();
        for (Map.Entry<String, Double> entry : byMode.entrySet()) {
            System.out.printf(Locale.ROOT, "%-20s %,12.0f ops/s  %.3f of OFF%n", entry.getKey(), entry.getValue(),
                    entry.getValue() / off);
        }
        Options platform = timed(seconds)
                .include(PlatformFanOutBenchmark.class.getName() + "\\.")
                .addProfiler(CpuProfiler.class)
                .build();
        Map<String, Double> cpuPerChild = new TreeMap<>();
        for (RunResult result : new Runner(platform).run()) {
            String benchmark = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            String key = benchmark.startsWith("fixedPool") ? benchmark + " (" + result.getParams().getParam("tracking")
                    + " run)" : benchmark + " " + result.getParams().getParam("tracking");
            cpuPerChild.put(key, Overhead.cpu(result) / PlatformFanOutBenchmark.CHILDREN);
        }
        System.out.println();
        cpuPerChild.forEach((key, nanos) -> System.out.printf(Locale.ROOT, "%-52s %,8.0f CPU ns per child%n", key, nanos));
        double platformOff = cpuPerChild.get("sweetAsyncPlatformChildren OFF");
        double platformMeasure = cpuPerChild.get("sweetAsyncPlatformChildren MEASURE");
        double pool = (cpuPerChild.get("fixedPoolInvokeAll (OFF run)") + cpuPerChild.get("fixedPoolInvokeAll (MEASURE run)")) / 2;
        System.out.printf(Locale.ROOT, "RESULT measure/off=%.3f sample/off=%.3f platform-cpu measure/off=%.2fx off/pool=%.2fx"
                + " measure/pool=%.2fx%n", byMode.get("MEASURE") / off, byMode.get("MEASURE_AND_SAMPLE") / off,
                platformMeasure / platformOff, platformOff / pool, platformMeasure / pool);
    }

    /** Two forks, 3 warm-up and 5 measured iterations of {@code seconds} each. */
    private static ChainedOptionsBuilder timed(int seconds) {
        return new OptionsBuilder().forks(2).warmupIterations(3).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(5).measurementTime(TimeValue.seconds(seconds));
    }
}
