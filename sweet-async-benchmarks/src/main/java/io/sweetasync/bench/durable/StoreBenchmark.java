package io.sweetasync.bench.durable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.SpawningTask;
import io.sweetasync.StoreStatistics;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.jdbc.JdbcTaskStore;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Ordinary tasks with the task store on and off: 100 tasks submitted, then joined, per invocation, each
 * with a small CPU-bound body (about 10 µs), on the default virtual runtime. {@code store}: {@code off},
 * or {@code postgresql} (the database at system property {@code sweet.bench.jdbc}, pooled by HikariCP).
 * With the store on, every task's record is written by the store's own thread in batches; the figures
 * say what that costs the tasks. At tear-down the store's statistics (written, dropped) are printed: a
 * store that cannot keep up drops records (counted), it never slows the tasks down by waiting.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class StoreBenchmark {

    static final int TASKS = 100;

    @Param({ "off", "postgresql" })
    public String store;

    private TaskOrchestrator orchestrator;
    private HikariDataSource dataSource;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        if (!store.equals("off")) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(System.getProperty("sweet.bench.jdbc"));
            config.setMaximumPoolSize(4);
            dataSource = new HikariDataSource(config);
            JdbcTaskStore jdbc = new JdbcTaskStore(dataSource, "bench_store_");
            jdbc.initializeSchema();
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE bench_store_task");
            }
            builder.store(jdbc);
        }
        orchestrator = builder.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        orchestrator.storeStatistics().map(StoreStatistics::toString).ifPresent(s -> System.out.println("\n" + s));
        orchestrator.close();
        if (dataSource != null) {
            dataSource.close();
        }
    }

    /**
     * Runs both sides in one JMH run (2 forks, GC profiler) and prints the {@code RESULT} line: throughput
     * with the store on over off, with the error bars, and allocation and CPU time per task on each side.
     * Usage: {@code StoreBenchmark <jdbc-url> [seconds per iteration (2)]}.
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        org.openjdk.jmh.runner.options.Options options = new org.openjdk.jmh.runner.options.OptionsBuilder()
                .include(StoreBenchmark.class.getName() + ".hundredTasks").forks(2).warmupIterations(2)
                .warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(seconds)).measurementIterations(4)
                .measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(seconds))
                .jvmArgsAppend("-Dsweet.bench.jdbc=" + args[0]).addProfiler("gc")
                .addProfiler(io.sweetasync.bench.jmh.CpuProfiler.class).build();
        java.util.Map<String, org.openjdk.jmh.results.RunResult> byStore = new java.util.TreeMap<>();
        for (org.openjdk.jmh.results.RunResult result : new org.openjdk.jmh.runner.Runner(options).run()) {
            byStore.put(result.getParams().getParam("store"), result);
        }
        var off = byStore.get("off").getPrimaryResult();
        var on = byStore.get("postgresql").getPrimaryResult();
        double offAlloc = byStore.get("off").getSecondaryResults().get("gc.alloc.rate.norm").getScore();
        double onAlloc = byStore.get("postgresql").getSecondaryResults().get("gc.alloc.rate.norm").getScore();
        double offCpu = byStore.get("off").getSecondaryResults().get(io.sweetasync.bench.jmh.CpuProfiler.LABEL).getScore();
        double onCpu = byStore.get("postgresql").getSecondaryResults().get(io.sweetasync.bench.jmh.CpuProfiler.LABEL)
                .getScore();
        double ratio = on.getScore() / off.getScore();
        // Relative errors add (first order) for a ratio of two independent measurements.
        double error = ratio * (on.getScoreError() / on.getScore() + off.getScoreError() / off.getScore());
        System.out.printf(java.util.Locale.ROOT, "%nstore off: %,.0f ± %,.0f tasks/s, %.0f B/task, %.1f µs CPU/task%n",
                off.getScore(), off.getScoreError(), offAlloc, offCpu / 1000);
        System.out.printf(java.util.Locale.ROOT, "store on (postgresql): %,.0f ± %,.0f tasks/s, %.0f B/task, %.1f µs CPU/task "
                + "(this JVM's: the database server's own CPU is not in it)%n", on.getScore(), on.getScoreError(), onAlloc,
                onCpu / 1000);
        System.out.printf(java.util.Locale.ROOT, "RESULT store-on/off throughput=%.3f ± %.3f allocation=%.2fx cpu=%.2fx%n",
                ratio, error, onAlloc / offAlloc, onCpu / offCpu);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void hundredTasks(Blackhole blackhole) {
        List<SpawningTask<Integer>> tasks = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            tasks.add(orchestrator.to(Integer.class).run(() -> {
                Blackhole.consumeCPU(2_000);
                return 1;
            }));
        }
        for (SpawningTask<Integer> task : tasks) {
            blackhole.consume(task.join());
        }
    }
}
