package io.sweetasync.bench.jmh;

import io.sweetasync.ResourceTracking;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Short tasks on the {@code platform} runtime: a parent with 1,000 trivial children on it and
 * {@code joinChildren()}, per {@link ResourceTracking} mode, against {@code invokeAll} on a fixed pool of as
 * many platform threads. On a platform thread {@code MEASURE} reads the thread's CPU-time counter at each
 * attempt's start and end (a system call); this shows what those readings cost a task whose body costs
 * nothing ({@code bench/sampling} prints it as a ratio).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PlatformFanOutBenchmark {

    static final int CHILDREN = 1_000;

    @Param({ "OFF", "MEASURE" })
    public ResourceTracking tracking;

    private TaskOrchestrator orchestrator;
    private ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() {
        orchestrator = TaskOrchestrator.builder().resourceTracking(tracking).historySize(0).build();
        pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        orchestrator.close();
        pool.shutdown();
    }

    /** The parent runs on the default virtual runtime, so its wait holds no platform thread. */
    @Benchmark
    public long sweetAsyncPlatformChildren() {
        return orchestrator.to(Long.class).await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < CHILDREN; i++) {
                int n = i;
                context.child(Integer.class).runtime("platform").run(() -> n);
            }
            long sum = 0;
            for (TaskResult<?> result : context.joinChildren()) {
                sum += (Integer) result.orElseThrow();
            }
            return sum;
        });
    }

    /** The baseline; {@code tracking} does not apply to it (JMH runs it once per mode all the same). */
    @Benchmark
    public long fixedPoolInvokeAll() throws Exception {
        List<Callable<Integer>> work = new ArrayList<>(CHILDREN);
        for (int i = 0; i < CHILDREN; i++) {
            int n = i;
            work.add(() -> n);
        }
        long sum = 0;
        for (Future<Integer> future : pool.invokeAll(work)) {
            sum += future.get();
        }
        return sum;
    }
}
