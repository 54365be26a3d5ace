package io.sweetasync.bench.jmh;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation: the benchmark JVM's CPU time (all its threads: the benchmark's, the executors'
 * and carriers', the GC's and the compiler's) over an iteration, divided by the operations the iteration
 * made, as JMH's GC profiler divides the bytes allocated. Other processes on the machine take CPU away
 * from the benchmark, which moves its throughput, but do not add to its own CPU time, so this figure
 * (like bytes per operation) stays put where the throughput's error bars are as wide as the score.
 *
 * <p>Reported as {@code cpu.time.norm} in ns/op; add it with
 * {@code new OptionsBuilder().addProfiler(CpuProfiler.class)}.
 */
public final class CpuProfiler implements InternalProfiler {

    /** The secondary result's label. */
    public static final String LABEL = "cpu.time.norm";

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long before;

    @Override
    public String getDescription() {
        return "CPU time of the benchmark JVM (all threads, GC and JIT included) per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - before;
        long ops = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
        if (before < 0 || cpu < 0 || ops <= 0) {
            return List.of(); // the platform does not report process CPU time, or nothing was measured
        }
        return List.of(new ScalarResult(LABEL, (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    }
}
