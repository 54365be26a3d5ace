package io.sweetasync.bench.jmh;

import io.sweetasync.ResourceTracking;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Submit and join one trivial task on the default virtual runtime, per resource-tracking mode, beside a
 * raw virtual-thread executor submit/get in the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class SpawnBenchmark {

    @Param({ "OFF", "MEASURE", "MEASURE_AND_SAMPLE" })
    public ResourceTracking tracking;

    private TaskOrchestrator orchestrator;
    private ExecutorService raw;

    @Setup(Level.Trial)
    public void setUp() {
        orchestrator = TaskOrchestrator.builder().resourceTracking(tracking).historySize(0).build();
        raw = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        orchestrator.close();
        raw.close();
    }

    @Benchmark
    public Integer sweetAsync() {
        return orchestrator.to(Integer.class).run(() -> 42).join();
    }

    @Benchmark
    public Integer rawExecutor() throws ExecutionException, InterruptedException {
        return raw.submit(() -> 42).get();
    }
}
