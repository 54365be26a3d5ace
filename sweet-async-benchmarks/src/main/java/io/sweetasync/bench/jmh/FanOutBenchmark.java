package io.sweetasync.bench.jmh;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A parent with 10,000 children and {@code joinChildren()} against {@code ExecutorService.invokeAll}. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class FanOutBenchmark {

    static final int CHILDREN = 10_000;

    private TaskOrchestrator orchestrator;
    private ExecutorService raw;

    @Setup(Level.Trial)
    public void setUp() {
        orchestrator = TaskOrchestrator.builder().historySize(0).build();
        raw = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        orchestrator.close();
        raw.close();
    }

    @Benchmark
    public long sweetAsyncTree() {
        return orchestrator.to(Long.class).await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < CHILDREN; i++) {
                int n = i;
                context.runChild(() -> n);
            }
            long sum = 0;
            for (TaskResult<?> result : context.joinChildren()) {
                sum += (Integer) result.orElseThrow();
            }
            return sum;
        });
    }

    @Benchmark
    public long invokeAll() throws Exception {
        return sumOfInvokeAll();
    }

    /**
     * The same {@code invokeAll}, called from a virtual thread of the executor, as the Sweet Async parent
     * is: it then holds a carrier while it submits, as the parent task does. Not the goal's baseline (that
     * is {@link #invokeAll}); it shows how much of the gap is that shape rather than overhead.
     */
    @Benchmark
    public long invokeAllFromVirtualThread() throws Exception {
        return raw.submit(this::sumOfInvokeAll).get();
    }

    private long sumOfInvokeAll() throws Exception {
        List<Callable<Integer>> work = new ArrayList<>(CHILDREN);
        for (int i = 0; i < CHILDREN; i++) {
            int n = i;
            work.add(() -> n);
        }
        long sum = 0;
        for (Future<Integer> future : raw.invokeAll(work)) {
            sum += future.get();
        }
        return sum;
    }
}
