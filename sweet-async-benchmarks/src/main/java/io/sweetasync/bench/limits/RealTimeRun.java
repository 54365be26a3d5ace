package io.sweetasync.bench.limits;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The same loop in real time: open-loop arrivals at 1.5x capacity submit tasks to a concurrency group
 * of a real {@link TaskOrchestrator} (virtual threads); the downstream is a semaphore of 16 slots
 * around a sleep of log-normal length (mean 20 ms). Shows the engine's own admission path converging.
 */
final class RealTimeRun {

    private static final int SLOTS = 16;
    private static final double MEAN_SERVICE = 0.020;

    private RealTimeRun() {
    }

    record Outcome(String algorithm, double goodput, double p99Millis, double rejectionRate, int finalLimit) {
    }

    static Outcome run(LimitAlgorithm algorithm, Duration length) {
        LimiterConfig config = LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(8, 1, 200)
                .withQueueCapacity(Simulation.QUEUE_CAPACITY).withMaxWait(Duration.ofNanos(Simulation.MAX_WAIT_NANOS));
        Semaphore downstream = new Semaphore(SLOTS);
        Work shape = Work.logNormal(MEAN_SERVICE, 0.3);
        double rate = 1.5 * SLOTS / MEAN_SERVICE;
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("downstream", config).historySize(0)
                .build()) {
            SplittableRandom random = new SplittableRandom(5);
            List<SpawningTask<Long>> tasks = new ArrayList<>();
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long next = start;
            while (next < end) {
                LockSupport.parkNanos(next - System.nanoTime());
                long arrived = System.nanoTime();
                long service = shape.nanos(random);
                tasks.add(orchestrator.to(Long.class).named("call").group("downstream").run(() -> {
                    downstream.acquire();
                    try {
                        Thread.sleep(Duration.ofNanos(service));
                    }
                    finally {
                        downstream.release();
                    }
                    return System.nanoTime() - arrived;
                }));
                next += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
            }
            long[] latencies = tasks.stream().map(SpawningTask::result).filter(TaskResult::isOk)
                    .mapToLong(result -> result.orElseThrow()).sorted().toArray();
            double seconds = (System.nanoTime() - start) / 1e9;
            LimiterSnapshot snapshot = orchestrator.limiters().getFirst();
            return new Outcome(algorithm.name(), latencies.length / seconds,
                    latencies.length == 0 ? 0 : latencies[(int) (0.99 * (latencies.length - 1))] / 1e6,
                    (double) (tasks.size() - latencies.length) / tasks.size(), snapshot.limit());
        }
    }

    public static void main(String[] args) {
        Duration length = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
        System.out.printf(Locale.ROOT, "real time, %d slots, mean service %.0f ms, arrivals 1.5x capacity (%.0f/s), %s each%n",
                SLOTS, MEAN_SERVICE * 1000, SLOTS / MEAN_SERVICE, length);
        System.out.printf(Locale.ROOT, "%-12s %10s %9s %8s %6s%n", "algorithm", "goodput/s", "p99 ms", "reject", "limit");
        for (LimitAlgorithm algorithm : List.of(LimitAlgorithm.ADAPTIVE, LimitAlgorithm.GRADIENT2, LimitAlgorithm.VEGAS)) {
            Outcome outcome = run(algorithm, length);
            System.out.printf(Locale.ROOT, "%-12s %10.1f %9.1f %7.2f%% %6d%n", outcome.algorithm(), outcome.goodput(),
                    outcome.p99Millis(), outcome.rejectionRate() * 100, outcome.finalLimit());
        }
    }
}
