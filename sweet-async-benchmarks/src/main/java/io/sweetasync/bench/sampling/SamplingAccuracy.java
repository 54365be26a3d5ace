package io.sweetasync.bench.sampling;

import io.sweetasync.ResourceTracking;
import io.sweetasync.ResourceValue;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskOrchestrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Accuracy, resolution and lag of sampled resource figures ({@code MEASURE_AND_SAMPLE}), against the
 * truth each task's body measures itself (see {@link KnownWork}). Three parts:
 * <ol>
 * <li>large work repeated: CPU (300 ms), allocation (200 MB of small objects), file reads (200 MB) and a
 * loopback socket exchange (10 MB each way), every round on both thread kinds at once;</li>
 * <li>resolution on virtual threads: the same kinds of work at smaller sizes, how often a figure is
 * reported and how far off it is then;</li>
 * <li>lag: from {@code onFinished} (figures {@code PENDING}) to {@code onResourcesUpdated} (final).</li>
 * </ol>
 * Usage: {@code bench/sampling accuracy [rounds (default 20)]}; ends with the RESULT line.
 */
public final class SamplingAccuracy {

    private static final long MB = 1 << 20;
    private static final int SWEEP_REPEATS = 8;

    /** Errors of the figures that were reported, and how many were not. */
    private static final class Tally {
        final List<Double> errors = new ArrayList<>();
        int unavailable;

        void add(ResourceValue value, long truth) {
            if (value.isAvailable()) {
                errors.add(100.0 * (value.amount() - truth) / truth);
            }
            else {
                unavailable++;
            }
        }

        double worst() {
            return errors.stream().mapToDouble(Math::abs).max().orElse(Double.NaN);
        }

        String row() {
            List<Double> sorted = new ArrayList<>(errors);
            Collections.sort(sorted);
            return sorted.isEmpty() ? String.format(Locale.ROOT, "%3d/%-3d reported", 0, unavailable)
                    : String.format(Locale.ROOT, "%3d/%-3d reported  error min %+7.2f%%  median %+7.2f%%  max %+7.2f%%",
                            sorted.size(), sorted.size() + unavailable, sorted.getFirst(),
                            sorted.get(sorted.size() / 2), sorted.getLast());
        }
    }

    private record Probe(String label, SpawningTask<Long> task, Function<TaskMetrics, ResourceValue> figure) {
    }

    private SamplingAccuracy() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path dir = Files.createTempDirectory("sampling-accuracy");
        Path file = Files.write(dir.resolve("8mb.bin"), new byte[(int) (8 * MB)]);
        Map<TaskId, Long> finishedAt = new ConcurrentHashMap<>();
        List<Double> lagsMillis = Collections.synchronizedList(new ArrayList<>());
        TaskListener lag = new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finishedAt.put(task.id(), System.nanoTime());
            }

            @Override
            public void onResourcesUpdated(TaskInfo task) {
                Long finished = finishedAt.get(task.id());
                if (finished != null) {
                    lagsMillis.add((System.nanoTime() - finished) / 1e6);
                }
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).listener(lag).build();
                KnownWork.Echo echo = new KnownWork.Echo(10 * MB)) {
            Map<String, Tally> large = new TreeMap<>();
            for (int round = -2; round < rounds; round++) { // two warm-up rounds
                List<Probe> probes = new ArrayList<>();
                for (String runtime : List.of("virtual", "platform")) {
                    probes.add(probe(orchestrator, runtime + " cpu", runtime, () -> KnownWork.spinCpu(300_000_000L),
                            TaskMetrics::cpuTimeNanos));
                    probes.add(probe(orchestrator, runtime + " allocated", runtime, () -> KnownWork.allocate(200 * MB),
                            TaskMetrics::allocatedBytes));
                    probes.add(probe(orchestrator, runtime + " file read", runtime, () -> KnownWork.read(file, 25),
                            TaskMetrics::bytesRead));
                    SpawningTask<Long> exchange = orchestrator.to(Long.class).runtime(runtime).run(echo::exchange);
                    probes.add(new Probe(runtime + " socket read", exchange, TaskMetrics::bytesRead));
                    probes.add(new Probe(runtime + " socket written", exchange, TaskMetrics::bytesWritten));
                }
                settle(probes);
                if (round >= 0) {
                    probes.forEach(p -> large.computeIfAbsent(p.label(), k -> new Tally())
                            .add(p.figure().apply(p.task().metrics()), p.task().join()));
                }
            }
            List<Double> lags = new ArrayList<>(lagsMillis);
            Collections.sort(lags);

            Map<String, Tally> sweep = new TreeMap<>();
            for (long millis : new long[] { 20, 50, 100, 200, 400 }) {
                sweep(orchestrator, sweep, String.format(Locale.ROOT, "cpu %4d ms", millis),
                        () -> KnownWork.spinCpu(millis * 1_000_000), TaskMetrics::cpuTimeNanos);
            }
            for (long mb : new long[] { 1, 4, 16, 64 }) {
                sweep(orchestrator, sweep, String.format(Locale.ROOT, "allocated %3d MB", mb),
                        () -> KnownWork.allocate(mb * MB), TaskMetrics::allocatedBytes);
            }
            for (int kb : new int[] { 1, 64, 1024 }) {
                Path small = Files.write(dir.resolve(kb + "kb.bin"), new byte[kb * 1024]);
                KnownWork.read(small, 1); // classes loaded: the task reads only the file
                sweep(orchestrator, sweep, String.format(Locale.ROOT, "file read %4d KB", kb),
                        () -> KnownWork.read(small, 1), TaskMetrics::bytesRead);
            }

            System.out.printf(Locale.ROOT, "%nLarge work, %d rounds, both thread kinds at once (error = figure vs truth):%n",
                    rounds);
            large.forEach((label, tally) -> System.out.printf(Locale.ROOT, "  %-24s %s%n", label, tally.row()));
            System.out.printf(Locale.ROOT, "%nResolution on virtual threads (%d each):%n", SWEEP_REPEATS);
            sweep.forEach((label, tally) -> System.out.printf(Locale.ROOT, "  %-24s %s%n", label, tally.row()));
            System.out.printf(Locale.ROOT, "%nLag from onFinished (PENDING) to onResourcesUpdated (final), %d tasks: "
                    + "min %.0f ms, median %.0f ms, p90 %.0f ms, max %.0f ms%n", lags.size(), lags.getFirst(),
                    lags.get(lags.size() / 2), lags.get(lags.size() * 9 / 10), lags.getLast());
            System.out.printf(Locale.ROOT, "RESULT virtual worst error cpu=%.1f%% allocated=%.1f%% read=%.1f%% "
                    + "socket=%.1f%%; cpu unavailable %d/%d; lag median=%.0fms p90=%.0fms max=%.0fms%n",
                    large.get("virtual cpu").worst(), large.get("virtual allocated").worst(),
                    large.get("virtual file read").worst(),
                    Math.max(large.get("virtual socket read").worst(), large.get("virtual socket written").worst()),
                    large.get("virtual cpu").unavailable, rounds, lags.get(lags.size() / 2),
                    lags.get(lags.size() * 9 / 10), lags.getLast());
        }
    }

    private static Probe probe(TaskOrchestrator orchestrator, String label, String runtime, Callable<Long> work,
            Function<TaskMetrics, ResourceValue> figure) {
        return new Probe(label, orchestrator.to(Long.class).runtime(runtime).run(work), figure);
    }

    private static void sweep(TaskOrchestrator orchestrator, Map<String, Tally> sweep, String label, Callable<Long> work,
            Function<TaskMetrics, ResourceValue> figure) throws InterruptedException {
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < SWEEP_REPEATS; i++) {
            probes.add(probe(orchestrator, label, "virtual", work, figure));
        }
        settle(probes);
        Tally tally = sweep.computeIfAbsent(label, k -> new Tally());
        probes.forEach(p -> tally.add(p.figure().apply(p.task().metrics()), p.task().join()));
    }

    private static void settle(List<Probe> probes) throws InterruptedException {
        probes.forEach(p -> p.task().join());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (probes.stream().anyMatch(p -> p.figure().apply(p.task().metrics()).isPending())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("figures still pending after 30 s");
            }
            Thread.sleep(10);
        }
    }
}
