package io.sweetasync.bench.cluster;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.bench.jmh.CpuProfiler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bench/cluster}: remote dispatch through Sweet Async against Hazelcast's {@code IExecutorService}
 * between the same two members (JMH, same run), then placement under skew: three members, the group
 * {@code g} (limit 1) saturated on the second, 30 tasks in that group placed from the first; prints where
 * they ran and the {@code RESULT} line: the throughput ratio with its error bar (the two scores' relative
 * errors added), bytes allocated and CPU time per operation on both sides (JMH's GC profiler and
 * {@link CpuProfiler}: all threads of the JVM, both members included, their idle background taken out), placements that ran elsewhere than the idle member, and the split.
 */
public final class ClusterBench {

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int forks = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(DispatchBenchmark.class.getName() + "\\.").forks(forks).warmupIterations(2).addProfiler("gc")
                .addProfiler(CpuProfiler.class)
                .warmupTime(TimeValue.seconds(seconds)).measurementIterations(5)
                .measurementTime(TimeValue.seconds(seconds)).build()).run();
        System.out.println();
        for (RunResult result : results) {
            System.out.printf(Locale.ROOT, "%-48s %,14.1f ops/s %12.1f %,10.0f B/op %,10.0f CPU ns/op%n",
                    result.getParams().getBenchmark().replace("io.sweetasync.bench.cluster.", ""),
                    result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError(),
                    secondary(result, "gc.alloc.rate.norm"), secondary(result, CpuProfiler.LABEL));
        }
        RunResult ours = find(results, "sweetAsyncAnywhere");
        RunResult theirs = find(results, "hazelcastExecutor");
        double ratio = ours.getPrimaryResult().getScore() / theirs.getPrimaryResult().getScore();
        double relativeError = relativeError(ours) + relativeError(theirs);
        double oursAlloc = secondary(ours, "gc.alloc.rate.norm");
        double theirsAlloc = secondary(theirs, "gc.alloc.rate.norm");
        long elsewhere = Math.round(secondary(ours, "elsewhere"));
        // The members allocate in the background whatever runs; per operation that is the idle rate over the
        // throughput, taken out here so that the figures compare the operations themselves.
        double background = secondary(find(results, "idleMembers"), "gc.alloc.rate") * 1024 * 1024;
        double oursOwn = oursAlloc - background / ours.getPrimaryResult().getScore();
        double theirsOwn = theirsAlloc - background / theirs.getPrimaryResult().getScore();
        // CPU the same way: the idle members' CPU per second (heartbeats, load publication) out of each operation.
        RunResult idle = find(results, "idleMembers");
        double backgroundCpu = secondary(idle, CpuProfiler.LABEL) * idle.getPrimaryResult().getScore();
        double oursCpu = secondary(ours, CpuProfiler.LABEL) - backgroundCpu / ours.getPrimaryResult().getScore();
        double theirsCpu = secondary(theirs, CpuProfiler.LABEL) - backgroundCpu / theirs.getPrimaryResult().getScore();
        try (Members members = new Members(3)) {
            String saturated = members.clusters.get(1).memberName();
            Map<String, Integer> split = skew(members);
            System.out.printf(Locale.ROOT, "%nplacement of 30 tasks in group g (limit 1) from %s, g saturated on %s: %s%n",
                    members.clusters.get(0).memberName(), saturated, split);
            System.out.printf(Locale.ROOT, "%nbackground allocation of the idle members: %.0f KB/s; per operation without it: "
                    + "anywhere() %.0f B, IExecutorService %.0f B%n", background / 1024, oursOwn, theirsOwn);
            System.out.printf(Locale.ROOT, "RESULT dispatch/IExecutorService=%.3f ±%.3f (±%.0f%%) alloc/op %.0f B vs %.0f B "
                    + "(%.2fx; without the background %.2fx) cpu/op without the background %.0f µs vs %.0f µs (%.2fx) "
                    + "placed-elsewhere=%d skew-split=%s (saturated: %s)%n", ratio,
                    ratio * relativeError, 100 * relativeError, oursAlloc, theirsAlloc, oursAlloc / theirsAlloc,
                    oursOwn / theirsOwn, oursCpu / 1000, theirsCpu / 1000, oursCpu / theirsCpu, elsewhere, split,
                    saturated);
        }
        System.exit(0);
    }

    /** Where 30 tasks of group g go when g is saturated on the second member: task count by member. */
    private static Map<String, Integer> skew(Members members) throws InterruptedException {
        // Tasks that waited for the saturated member's permit count where they finally ran; "failed" for any
        // that failed (none expected).
        TaskOrchestrator a = members.orchestrators.get(0);
        TaskOrchestrator b = members.orchestrators.get(1);
        b.to(String.class).group("g").run(() -> { // takes b's only permit of g
            members.release.await();
            return "held";
        });
        b.to(String.class).group("g").run(() -> "queued"); // and one waits: g is saturated on b
        Thread.sleep(1_000); // b publishes its headroom
        List<SpawningTask<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            tasks.add(a.to(String.class).group("g").anywhere().run("noop", "x"));
        }
        // When the burst queues up on every member, the saturated one (shortest queue) may get some: those wait
        // for its held permit. Let the others end, then release it, so that every task is counted where it ran.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (SpawningTask<String> task : tasks) {
            try {
                task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (TimeoutException | ExecutionException ex) {
                // counted below
            }
        }
        members.release.countDown();
        Map<String, Integer> split = new TreeMap<>();
        members.clusters.forEach(cluster -> split.put(cluster.memberName(), 0));
        for (SpawningTask<String> task : tasks) {
            split.merge(task.result() instanceof TaskResult.Ok<String>(String member) ? member : "failed", 1, Integer::sum);
        }
        return split;
    }

    private static RunResult find(Collection<RunResult> results, String name) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + name));
    }

    private static double relativeError(RunResult result) {
        return result.getPrimaryResult().getScoreError() / result.getPrimaryResult().getScore();
    }

    /** A secondary result's score (e.g. {@code gc.alloc.rate.norm}), NaN without it. */
    private static double secondary(RunResult result, String name) {
        var found = result.getSecondaryResults().get(name);
        return found == null ? Double.NaN : found.getScore();
    }
}
