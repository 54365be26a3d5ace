package io.sweetasync.bench.jmh;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link SubmitBenchmark} per tracking mode and prints the cost of each as a throughput ratio. */
public final class SamplingOverhead {

    private SamplingOverhead() {
    }

    public static void main(String[] args) throws RunnerException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Options options = new OptionsBuilder()
                .include(SubmitBenchmark.class.getName() + ".sweetAsync")
                .param("tracking", "OFF", "MEASURE", "MEASURE_AND_SAMPLE")
                .forks(2)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(seconds))
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
        System.out.printf(Locale.ROOT, "RESULT measure/off=%.3f sample/off=%.3f%n", byMode.get("MEASURE") / off,
                byMode.get("MEASURE_AND_SAMPLE") / off);
    }
}
