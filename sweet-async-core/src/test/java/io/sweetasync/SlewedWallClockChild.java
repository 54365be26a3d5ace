package io.sweetasync;

import io.sweetasync.emit.FinalEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The child JVM of {@link SlewedWallClockTest}: its wall clock runs fast or slow (libfaketime), its monotonic
 * clock and JFR's ticks do not. Reads a file on both runtimes at once (before the stream's first clock mark),
 * waits for the clocks to part, runs file reads and socket exchanges on both runtimes with sampled figures, and
 * prints each figure beside the truth its task measured, a pipeline's duration beside the monotonic time around
 * it, and how far the wall clock ran ahead of the monotonic one meanwhile.
 */
final class SlewedWallClockChild {

    private static final Duration PART = Duration.ofSeconds(3);
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private record Probe(String what, String runtime, SpawningTask<Long> task, Function<TaskMetrics, ResourceValue> figure) {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long wallBefore = epochNanos(Instant.now());
        long nanoBefore = System.nanoTime();
        List<Probe> probes = new ArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();
                EchoServer echo = new EchoServer(256 * 1024)) {
            // At once: their events come before the stream's first clock mark, and are placed once it arrives.
            for (String runtime : List.of("virtual", "platform")) {
                probes.add(probe(orchestrator, "early-read", runtime, () -> Work.read(file, 1), TaskMetrics::bytesRead));
            }
            Thread.sleep(PART.toMillis()); // the stream is on; the clocks part
            for (int round = 0; round < 3; round++) {
                for (String runtime : List.of("virtual", "platform")) {
                    probes.add(probe(orchestrator, "read", runtime, () -> Work.read(file, 1), TaskMetrics::bytesRead));
                    SpawningTask<Long> exchange = orchestrator.to(Long.class).runtime(runtime).run(echo::exchange);
                    probes.add(new Probe("socket-read", runtime, exchange, TaskMetrics::bytesRead));
                    probes.add(new Probe("socket-write", runtime, exchange, TaskMetrics::bytesWritten));
                }
                probes.forEach(probe -> probe.task().join());
            }
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (probes.stream().anyMatch(probe -> probe.figure().apply(probe.task().metrics()).isPending())
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long before = System.nanoTime();
            FinalEvent<Integer, Integer> pipeline = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emit(1))
                    .receiver((event, collector) -> Thread.sleep(500))
                    .awaitFinalEvent();
            System.out.println("PIPELINE " + pipeline.duration().toNanos() + " " + (System.nanoTime() - before));
            for (Probe probe : probes) {
                ResourceValue value = probe.figure().apply(probe.task().metrics());
                System.out.println("FIGURE " + probe.what() + " " + probe.runtime() + " " + value.source() + " "
                        + value.amount() + " " + probe.task().join());
            }
        }
        long wallAhead = (epochNanos(Instant.now()) - wallBefore) - (System.nanoTime() - nanoBefore);
        System.out.println("WALL-AHEAD-MS " + wallAhead / 1_000_000);
    }

    private static Probe probe(TaskOrchestrator orchestrator, String what, String runtime, Callable<Long> work,
            Function<TaskMetrics, ResourceValue> figure) {
        return new Probe(what, runtime, orchestrator.to(Long.class).runtime(runtime).run(work), figure);
    }

    private static long epochNanos(Instant time) {
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }
}
