package io.sweetasync.bench.jmh;

import io.sweetasync.ResourceTracking;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.CompletableFuture;
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
 * Submit and join one trivial task: Sweet Async on its default virtual runtime (tracking and history
 * on, as shipped) against a raw virtual-thread executor and {@code CompletableFuture.supplyAsync} on it.
 * Run with 1 and 2 threads. {@code tracking} selects the resource tracking mode ({@code bench/sampling}
 * compares them).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class SubmitBenchmark {

    @Param({ "MEASURE" })
    public ResourceTracking tracking;

    private TaskOrchestrator orchestrator;
    private ExecutorService raw;

    @Setup(Level.Trial)
    public void setUp() {
        orchestrator = TaskOrchestrator.builder().resourceTracking(tracking).build();
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

    @Benchmark
    public Integer completableFuture() {
        return CompletableFuture.supplyAsync(() -> 42, raw).join();
    }
}
