package io.sweetasync.bench.durable;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.jdbc.JsonDurableCodec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable tasks with no-op bodies on one PostgreSQL: Sweet Async's durable tasks against db-scheduler's
 * one-time tasks, the same number of worker threads and the same connection pool, alternating in one
 * run. Per round each side gets {@code tasks} submissions from 8 submitting threads; measured: the time
 * until every body ran, the time until every end is in the database ({@code recorded}: our flush, their
 * row deleted), and each task's enqueue-to-start latency (from the call that stores it to its body's
 * first line). db-scheduler runs in its quickest configuration: immediate execution, lock-and-fetch
 * polling (PostgreSQL), a 1 s polling interval instead of its default 10 s.
 *
 * <p>Usage: {@code DurableBenchmark <jdbc-url> [rounds (3)] [tasks per round (2000)] [workers (8)]}.
 */
public final class DurableBenchmark {

    private static final int SUBMITTERS = 8;

    private DurableBenchmark() {
    }

    /** One side's figures in one round. */
    record Round(String side, double ranPerSecond, double recordedPerSecond, double p50Ms, double p99Ms,
            double maxMs) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: DurableBenchmark <jdbc-url> [rounds] [tasks] [workers]");
        }
        String url = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int tasks = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(workers + SUBMITTERS + 2);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            prepare(dataSource);
            List<Round> ours = new ArrayList<>();
            List<Round> theirs = new ArrayList<>();
            // A warm-up round each (JIT, connections), not counted.
            sweetAsync(dataSource, Math.min(tasks, 500), workers);
            dbScheduler(dataSource, Math.min(tasks, 500), workers);
            for (int round = 0; round < rounds; round++) {
                if (round % 2 == 0) {
                    ours.add(sweetAsync(dataSource, tasks, workers));
                    theirs.add(dbScheduler(dataSource, tasks, workers));
                }
                else {
                    theirs.add(dbScheduler(dataSource, tasks, workers));
                    ours.add(sweetAsync(dataSource, tasks, workers));
                }
                System.out.println(ours.getLast());
                System.out.println(theirs.getLast());
            }
            report(ours, theirs, tasks, workers);
        }
    }

    private static void prepare(HikariDataSource dataSource) throws SQLException {
        JdbcTaskStore store = new JdbcTaskStore(dataSource, "bench_sa_");
        store.initializeSchema();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS bench_scheduled_tasks");
            statement.execute("CREATE TABLE bench_scheduled_tasks (task_name text NOT NULL, task_instance text NOT NULL, "
                    + "task_data bytea, execution_time timestamp with time zone NOT NULL, picked BOOLEAN NOT NULL, "
                    + "picked_by text, last_success timestamp with time zone, last_failure timestamp with time zone, "
                    + "consecutive_failures INT, last_heartbeat timestamp with time zone, version BIGINT NOT NULL, "
                    + "priority SMALLINT, PRIMARY KEY (task_name, task_instance))");
            statement.execute("CREATE INDEX bench_execution_time_idx ON bench_scheduled_tasks (execution_time)");
            statement.execute("CREATE INDEX bench_last_heartbeat_idx ON bench_scheduled_tasks (last_heartbeat)");
        }
    }

    private static void truncate(HikariDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE bench_sa_task, bench_sa_durable, bench_scheduled_tasks");
            statement.execute("VACUUM ANALYZE bench_sa_task");
            statement.execute("VACUUM ANALYZE bench_sa_durable");
            statement.execute("VACUUM ANALYZE bench_scheduled_tasks");
        }
    }

    private static Round sweetAsync(HikariDataSource dataSource, int tasks, int workers) throws Exception {
        truncate(dataSource);
        long[] submitted = new long[tasks];
        long[] started = new long[tasks];
        CountDownLatch ran = new CountDownLatch(tasks);
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(new JdbcTaskStore(dataSource, "bench_sa_"))
                .durableCodec(new JsonDurableCodec()).runtime(TaskRuntime.platform("workers", workers))
                .defaultRuntime("workers").historySize(0).handler("noop", Integer.class, i -> {
                    started[i] = System.nanoTime();
                    ran.countDown();
                    return null;
                }).build();
        try {
            long begin = System.nanoTime();
            java.util.Queue<io.sweetasync.SpawningTask<Void>> handles = new java.util.concurrent.ConcurrentLinkedQueue<>();
            submit(tasks, i -> {
                submitted[i] = System.nanoTime();
                handles.add(orchestrator.to(Void.class).durable("noop", i).run());
            });
            await(ran, "sweet async");
            long bodiesDone = System.nanoTime();
            handles.forEach(io.sweetasync.SpawningTask::join); // ended, not only run: the flush then writes every end
            if (!orchestrator.flushStore()) {
                throw new IllegalStateException("the store failed a flush");
            }
            long recorded = System.nanoTime();
            long pending = count(dataSource, "SELECT count(*) FROM bench_sa_durable WHERE status = 'PENDING'");
            if (pending != 0) {
                throw new IllegalStateException(pending + " durable tasks still pending after the flush");
            }
            return round("sweet-async", tasks, begin, bodiesDone, recorded, submitted, started);
        }
        finally {
            orchestrator.close();
        }
    }

    private static Round dbScheduler(HikariDataSource dataSource, int tasks, int workers) throws Exception {
        truncate(dataSource);
        long[] submitted = new long[tasks];
        long[] started = new long[tasks];
        CountDownLatch ran = new CountDownLatch(tasks);
        OneTimeTask<Integer> noop = Tasks.oneTime("noop", Integer.class).execute((instance, context) -> {
            int i = instance.getData();
            started[i] = System.nanoTime();
            ran.countDown();
        });
        Scheduler scheduler = Scheduler.create(dataSource, noop).tableName("bench_scheduled_tasks").threads(workers)
                .enableImmediateExecution().pollUsingLockAndFetch(0.5, 3.0).pollingInterval(Duration.ofSeconds(1))
                .build();
        scheduler.start();
        try {
            long begin = System.nanoTime();
            submit(tasks, i -> {
                submitted[i] = System.nanoTime();
                scheduler.schedule(noop.instance("t" + i, i), Instant.now());
            });
            await(ran, "db-scheduler");
            long bodiesDone = System.nanoTime();
            while (count(dataSource, "SELECT count(*) FROM bench_scheduled_tasks") > 0) {
                Thread.sleep(2);
            }
            long recorded = System.nanoTime();
            return round("db-scheduler", tasks, begin, bodiesDone, recorded, submitted, started);
        }
        finally {
            scheduler.stop();
        }
    }

    @FunctionalInterface
    private interface Submission {
        void submit(int i) throws Exception;
    }

    private static void submit(int tasks, Submission submission) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < SUBMITTERS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = (int) next.getAndIncrement(); i < tasks; i = (int) next.getAndIncrement()) {
                    try {
                        submission.submit(i);
                    }
                    catch (Throwable ex) {
                        failures.add(ex);
                        return;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("submission failed", failures.getFirst());
        }
    }

    private static void await(CountDownLatch ran, String side) throws InterruptedException {
        if (!ran.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException(side + ": " + ran.getCount() + " tasks never ran");
        }
    }

    private static long count(HikariDataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Round round(String side, int tasks, long begin, long bodiesDone, long recorded, long[] submitted,
            long[] started) {
        double[] latencies = new double[tasks];
        for (int i = 0; i < tasks; i++) {
            latencies[i] = (started[i] - submitted[i]) / 1e6;
        }
        Arrays.sort(latencies);
        return new Round(side, tasks / ((bodiesDone - begin) / 1e9), tasks / ((recorded - begin) / 1e9),
                latencies[tasks / 2], latencies[(int) Math.min(tasks - 1, Math.ceil(tasks * 0.99) - 1)],
                latencies[tasks - 1]);
    }

    private static void report(List<Round> ours, List<Round> theirs, int tasks, int workers) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%d rounds of %d no-op durable tasks, %d workers, %d submitting threads%n",
                ours.size(), tasks, workers, SUBMITTERS);
        System.out.printf(Locale.ROOT, "%-14s %22s %22s %12s %12s %12s%n", "side", "ran/s (min..max)",
                "recorded/s (min..max)", "p50 ms", "p99 ms", "max ms");
        for (List<Round> rounds : List.of(ours, theirs)) {
            System.out.printf(Locale.ROOT, "%-14s %22s %22s %12.1f %12.1f %12.1f%n", rounds.getFirst().side(),
                    spread(rounds.stream().mapToDouble(Round::ranPerSecond).toArray()),
                    spread(rounds.stream().mapToDouble(Round::recordedPerSecond).toArray()),
                    median(rounds.stream().mapToDouble(Round::p50Ms).toArray()),
                    median(rounds.stream().mapToDouble(Round::p99Ms).toArray()),
                    median(rounds.stream().mapToDouble(Round::maxMs).toArray()));
        }
        double[] ratios = new double[ours.size()];
        for (int i = 0; i < ours.size(); i++) {
            ratios[i] = ours.get(i).recordedPerSecond() / theirs.get(i).recordedPerSecond();
        }
        System.out.printf(Locale.ROOT, "RESULT durable/db-scheduler recorded-throughput=%.3f (rounds %s) "
                + "p50-latency ms=%.1f/%.1f p99-latency ms=%.1f/%.1f%n", median(ratios), spread(ratios, "%.3f"),
                median(ours.stream().mapToDouble(Round::p50Ms).toArray()),
                median(theirs.stream().mapToDouble(Round::p50Ms).toArray()),
                median(ours.stream().mapToDouble(Round::p99Ms).toArray()),
                median(theirs.stream().mapToDouble(Round::p99Ms).toArray()));
    }

    private static String spread(double[] values) {
        return spread(values, "%.0f");
    }

    private static String spread(double[] values, String format) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, format + " (" + format + ".." + format + ")", median(values), sorted[0],
                sorted[sorted.length - 1]);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
