package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ResourceTracking;
import io.sweetasync.ResourceValue.Source;
import io.sweetasync.RunsAlone;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskOrchestrator;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** README "Resource figures" under MEASURE_AND_SAMPLE, read where the README says they are final. */
@RunsAlone
@Timeout(120)
class Review16ReadmeSampledFiguresTest {

    final Map<TaskId, TaskInfo> finished = new ConcurrentHashMap<>();
    final Map<TaskId, TaskInfo> updated = new ConcurrentHashMap<>();
    final Map<TaskId, CountDownLatch> finals = new ConcurrentHashMap<>();

    private CountDownLatch latch(TaskId id) {
        return finals.computeIfAbsent(id, k -> new CountDownLatch(1));
    }

    private TaskOrchestrator sampling() {
        return TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
                .listener(new TaskListener() {
                    public void onFinished(TaskInfo task) {
                        finished.put(task.id(), task);
                    }

                    public void onResourcesUpdated(TaskInfo task) {
                        updated.put(task.id(), task);
                        latch(task.id()).countDown();
                    }
                }).build();
    }

    private static boolean isFinal(Source source) {
        return source != Source.PENDING;
    }

    // platform threads: "CPU and allocation are MEASURED (exact) and IO is sampled as above"; bytes written:
    // "always: exact for the calls JFR reports"; "figures PENDING in onFinished are final" in onResourcesUpdated
    @Test
    void aPlatformTaskWritingAFileReadsMeasuredCpuAndExactSampledBytesWritten(@TempDir Path dir) throws Exception {
        try (TaskOrchestrator orchestrator = sampling()) {
            byte[] block = new byte[64 * 1024];
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("r16-writes").runtime("platform")
                    .run(() -> {
                        try (FileOutputStream out = new FileOutputStream(dir.resolve("out.bin").toFile())) {
                            for (int i = 0; i < 16; i++) {
                                out.write(block);
                            }
                        }
                        return 1;
                    });
            task.join();
            assertThat(latch(task.id()).await(60, TimeUnit.SECONDS)).as("onResourcesUpdated").isTrue();
            TaskMetrics m = updated.get(task.id()).metrics();
            assertThat(m.cpuTimeNanos().source()).isEqualTo(Source.MEASURED);
            assertThat(m.allocatedBytes().source()).isEqualTo(Source.MEASURED);
            assertThat(m.bytesWritten().source()).isEqualTo(Source.SAMPLED);
            assertThat(m.bytesWritten().amount()).isEqualTo(16L * 64 * 1024);
            assertThat(isFinal(m.bytesRead().source())).isTrue();
            assertThat(finished.get(task.id()).metrics().bytesWritten().source()).isEqualTo(Source.PENDING);
            assertThat(task.metrics().bytesWritten()).isEqualTo(m.bytesWritten());
            // "resourceUsage() adds sampled amounts as they arrive": by the final figures they are in the totals
            assertThat(orchestrator.resourceUsage("r16-writes").orElseThrow().bytesWritten())
                    .isEqualTo(16L * 64 * 1024);
        }
    }

    // virtual threads: CPU "reported when 20 samples or more (200 ms of CPU)", "100 ms: never"; allocation "16 MB:
    // not reported"; otherwise UNAVAILABLE, never a made-up number; bytes "a zero is a fact"
    @Test
    void aSmallVirtualThreadTaskHasNoCpuOrAllocationFigureAndAFactualZeroOfIo() throws Exception {
        try (TaskOrchestrator orchestrator = sampling()) {
            SpawningTask<Long> task = orchestrator.to(Long.class).named("r16-small-virtual").runtime("virtual")
                    .run(() -> {
                        long sum = 0;
                        for (int i = 0; i < 10_000; i++) {
                            sum += i;
                        }
                        return sum;
                    });
            task.join();
            assertThat(latch(task.id()).await(60, TimeUnit.SECONDS)).as("onResourcesUpdated").isTrue();
            TaskMetrics m = updated.get(task.id()).metrics();
            assertThat(m.cpuTimeNanos().source()).isEqualTo(Source.UNAVAILABLE);
            assertThat(m.allocatedBytes().source()).isEqualTo(Source.UNAVAILABLE);
            assertThat(m.bytesWritten().source()).isEqualTo(Source.SAMPLED);
            assertThat(m.bytesWritten().amount()).isZero();
        }
    }

    /** Loaded first by the task below, from the test classes on disk. */
    static final class LoadedByTheTask {
        static final long[] TABLE = new long[] {1, 2, 3, 5, 8, 13, 21, 34, 55, 89};
    }

    // "class files a task's thread loads count as its reads": a class file no one loaded yet (a copy, in a
    // directory of its own: JUnit's discovery has loaded the test classes' nested classes already)
    @Test
    void aClassFileTheTaskLoadsCountsAsItsReads(@TempDir Path dir) throws Exception {
        String name = Review16ReadmeSampledFiguresTest.class.getName() + "$LoadedByTheTask";
        String file = name.replace('.', '/') + ".class";
        byte[] bytes;
        try (var in = Review16ReadmeSampledFiguresTest.class.getClassLoader().getResourceAsStream(file)) {
            bytes = in.readAllBytes();
        }
        Path copy = dir.resolve(file);
        java.nio.file.Files.createDirectories(copy.getParent());
        java.nio.file.Files.write(copy, bytes);
        try (TaskOrchestrator orchestrator = sampling();
                java.net.URLClassLoader fresh = new java.net.URLClassLoader(
                        new java.net.URL[] {dir.toUri().toURL()}, null)) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("r16-loads").runtime("platform")
                    .run(() -> fresh.loadClass(name).getDeclaredFields().length);
            assertThat(task.join()).isEqualTo(1);
            assertThat(latch(task.id()).await(60, TimeUnit.SECONDS)).as("onResourcesUpdated").isTrue();
            TaskMetrics m = updated.get(task.id()).metrics();
            assertThat(m.bytesRead().source()).isEqualTo(Source.SAMPLED);
            assertThat(m.bytesRead().amount()).isGreaterThanOrEqualTo(bytes.length);
        }
    }
}
