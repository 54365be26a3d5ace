package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sampled figures are near the truth every time, or say they are not there yet ({@code PENDING}) or
 * cannot be trusted ({@code UNAVAILABLE}): never a sampled zero for work that was done. The truth is
 * measured by each task's own body: exact bytes moved, and the CPU time and allocation counters of the
 * thread that ran it (on a virtual thread, of its carrier, while the body stays mounted).
 */
@RunsAlone
class SampledResourcesTest {

    private static final long MB = 1 << 20;
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final int ROUNDS = 5;
    /** A task's thread also reads the class files it loads (on first use): real IO, counted too. */
    private static final long CLASS_LOADING = 64 * 1024;

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        sampling.close();
    }

    /** One figure of one task and the truth its body measured. */
    private record Probe(String what, String runtime, SpawningTask<Long> task, Function<TaskMetrics, ResourceValue> figure,
            double tolerancePercent) {

        ResourceValue value() {
            return figure.apply(task.metrics());
        }

        String describe() {
            return what + " on " + runtime + ": " + value() + ", truth " + task.join();
        }
    }

    @Test
    void repeatedLargeWorkOnBothThreadKindsIsNearTheTruthEveryTimeOrUnavailable() throws Exception {
        Path file = dir.resolve("8mb.bin");
        Files.write(file, new byte[(int) (8 * MB)]);
        int virtualCpuAvailable = 0;
        List<String> virtualCpuUnavailable = new ArrayList<>();
        try (EchoServer echo = new EchoServer(10 * MB)) {
            for (int round = 0; round < ROUNDS; round++) {
                List<Probe> probes = new ArrayList<>();
                for (String runtime : List.of("virtual", "platform")) {
                    probes.add(probe("CPU", runtime, () -> Work.spinCpu(300_000_000L), TaskMetrics::cpuTimeNanos, 35));
                    probes.add(probe("allocation", runtime, () -> Work.allocate(200 * MB), TaskMetrics::allocatedBytes, 15));
                    probes.add(probe("file read", runtime, () -> Work.read(file, 25), TaskMetrics::bytesRead, 15));
                    SpawningTask<Long> exchange = sampling.to(Long.class).runtime(runtime).run(echo::exchange);
                    probes.add(new Probe("socket read", runtime, exchange, TaskMetrics::bytesRead, 15));
                    probes.add(new Probe("socket write", runtime, exchange, TaskMetrics::bytesWritten, 15));
                }
                probes.forEach(probe -> probe.task().join());
                await().atMost(SETTLE).until(() -> probes.stream().noneMatch(probe -> probe.value().isPending()));
                for (Probe probe : probes) {
                    ResourceValue value = probe.value();
                    long truth = probe.task().join();
                    if (!value.isAvailable()) {
                        assertThat(value.source()).as(probe.describe()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
                        assertThat(probe.what() + " " + probe.runtime()).as("only CPU on virtual threads may be "
                                + "too doubtful to report; " + probe.describe()).isEqualTo("CPU virtual");
                        virtualCpuUnavailable.add(((TaskNode<?>) probe.task()).sampledFigures(true) + ", truth " + truth);
                        continue;
                    }
                    if (probe.what().equals("CPU") && probe.runtime().equals("virtual")) {
                        // Lost samples are reported with the thread running when the sampler reports them, which on a
                        // carrier may be a later virtual thread: a quarter of a figure's samples may be such doubtful
                        // grains (more: UNAVAILABLE), so the figure may be high by those, beyond its own samples'
                        // error (CI once: 420 ms for 300). Its own samples, the figure without the lost ones or with
                        // them all, are near the truth. (Lost samples are valued at what samples stand for lately,
                        // about 10 ms: valued at the latest sample's, with its timer's overruns, they likely made CI's
                        // about 480 ms for 300; see Review16ResLostSamplesTest.)
                        SampledFigures sampled = ((TaskNode<?>) probe.task()).sampledFigures(true);
                        double doubtful = sampled.lostCpuSamples() * (double) ResourceAttribution.CPU_PERIOD.toNanos();
                        double tolerance = probe.tolerancePercent() / 100;
                        assertThat(value.amount() - doubtful).as("round " + round + ", " + probe.describe()
                                + ", without its " + sampled.lostCpuSamples() + " lost samples; " + sampled)
                                .isLessThanOrEqualTo(truth * (1 + tolerance));
                        assertThat((double) value.amount()).as("round " + round + ", " + probe.describe() + "; "
                                + sampled).isGreaterThanOrEqualTo(truth * (1 - tolerance));
                    }
                    else {
                        assertThat((double) value.amount()).as("round " + round + ", " + probe.describe())
                                .isCloseTo(truth, withinPercentage(probe.tolerancePercent()));
                    }
                    boolean counted = probe.runtime().equals("platform") && !probe.what().startsWith("file")
                            && !probe.what().startsWith("socket");
                    assertThat(value.source()).as(probe.describe())
                            .isEqualTo(counted ? ResourceValue.Source.MEASURED : ResourceValue.Source.SAMPLED);
                    if (probe.what().equals("CPU") && probe.runtime().equals("virtual")) {
                        virtualCpuAvailable++;
                    }
                }
            }
        }
        if (sampling.parts().attribution().cpuSampled()) {
            assertThat(virtualCpuAvailable).as("CPU on virtual threads reported in most rounds; unavailable: "
                    + virtualCpuUnavailable).isGreaterThanOrEqualTo(2);
        }
        assertThat(sampling.parts().attribution().unresolvedEvents()).as("events JFR could not name a thread for")
                .isZero();
    }

    private Probe probe(String what, String runtime, Callable<Long> work, Function<TaskMetrics, ResourceValue> figure,
            double tolerancePercent) {
        return new Probe(what, runtime, sampling.to(Long.class).runtime(runtime).run(work), figure, tolerancePercent);
    }

    /**
     * Many short-lived virtual threads in a row, over several flushes: every one is attributed exactly,
     * and JFR named the thread of every event. (The root cause of sampled zeros, JFR streaming a new
     * virtual thread's events without naming the thread unless something else wrote a thread checkpoint
     * in the same second, shows in the test above: without the fix, its virtual-thread figures are lost.)
     */
    @Test
    void eventsOfManyShortVirtualThreadsAreAllAttributed() throws Exception {
        List<SpawningTask<Long>> clients = new ArrayList<>();
        try (EchoServer echo = new EchoServer(256 * 1024)) {
            for (int i = 0; i < 25; i++) {
                clients.add(sampling.to(Long.class).run(echo::exchange));
                clients.getLast().join();
                Thread.sleep(80); // spread over a few flushes (once a second)
            }
        }
        await().atMost(SETTLE).until(() -> clients.stream().noneMatch(c -> c.metrics().bytesRead().isPending()));
        for (SpawningTask<Long> client : clients) {
            assertBytes(client.toString(), client.metrics().bytesRead(), ResourceValue.Source.SAMPLED, 256 * 1024);
            assertThat(client.metrics().bytesWritten()).as(client.toString()).isEqualTo(ResourceValue.sampled(256 * 1024));
        }
        assertThat(sampling.parts().attribution().unresolvedEvents()).isZero();
    }

    @Test
    void aFigureIsPendingWhileEventsMayComeAndListenersHearOnceWhenItIsFinal() throws Exception {
        Path file = dir.resolve("10mb.bin");
        Files.write(file, new byte[(int) (10 * MB)]);
        List<TaskInfo> finished = new CopyOnWriteArrayList<>();
        List<TaskInfo> updated = new CopyOnWriteArrayList<>();
        sampling.addListener(new TaskListener() {
            @Override
            public void onResourcesUpdated(TaskInfo task) {
                throw new IllegalStateException("a listener that throws breaks nothing");
            }
        });
        sampling.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finished.add(task);
            }

            @Override
            public void onResourcesUpdated(TaskInfo task) {
                assertThat(finished).as("after onFinished").anyMatch(info -> info.id().equals(task.id()));
                updated.add(task);
            }
        });
        CountDownLatch release = new CountDownLatch(1);
        // Ends at its deadline while its body, ignoring the interrupt, still runs: it finishes with its
        // figures pending for sure.
        SpawningTask<Long> runaway = sampling.to(Long.class).timeout(Duration.ofSeconds(1)).run(() -> {
            long read = Work.read(file, 1);
            Work.awaitIgnoringInterrupts(release);
            return read;
        });
        await().atMost(SETTLE).untilAsserted(() -> assertBytes("while the body runs: pending, with what has arrived",
                runaway.metrics().bytesRead(), ResourceValue.Source.PENDING, 10 * MB));
        await().atMost(SETTLE).until(() -> runaway.status() == TaskStatus.TIMED_OUT && !finished.isEmpty());
        assertThat(finished.getFirst().metrics().bytesRead().isPending()).isTrue();
        assertThat(updated).isEmpty();
        release.countDown();
        await().atMost(SETTLE).until(() -> !updated.isEmpty());
        assertBytes("announced", updated.getFirst().metrics().bytesRead(), ResourceValue.Source.SAMPLED, 10 * MB);
        assertBytes("final", runaway.metrics().bytesRead(), ResourceValue.Source.SAMPLED, 10 * MB);

        // A task that finishes normally: an update follows exactly when onFinished showed pending figures.
        SpawningTask<Long> reader = sampling.to(Long.class).run(() -> Work.read(file, 1));
        reader.join();
        await().atMost(SETTLE).until(() -> !reader.metrics().bytesRead().isPending());
        TaskInfo atFinish = finished.stream().filter(info -> info.id().equals(reader.id())).findFirst().orElseThrow();
        if (atFinish.metrics().bytesRead().isPending()) {
            await().atMost(SETTLE).until(() -> updated.stream().anyMatch(info -> info.id().equals(reader.id())));
        }
        else {
            assertBytes("final at once", atFinish.metrics().bytesRead(), ResourceValue.Source.SAMPLED, 10 * MB);
        }
        Thread.sleep(1500); // a flush or so: no second update comes
        assertThat(updated.stream().filter(info -> info.id().equals(reader.id())).count())
                .isEqualTo(atFinish.metrics().bytesRead().isPending() ? 1 : 0);
        assertThat(updated.stream().filter(info -> info.id().equals(runaway.id())).count()).isOne();
    }

    @Test
    void theHistoryShowsFiguresOnceTheyArrive() throws Exception {
        Path file = dir.resolve("3mb.bin");
        Files.write(file, new byte[(int) (3 * MB)]);
        SpawningTask<Long> reader = sampling.to(Long.class).named("history-reader").run(() -> Work.read(file, 1));
        reader.join();
        await().atMost(SETTLE).untilAsserted(() -> assertThat(sampling.recent()).first()
                .satisfies(info -> assertBytes("history", info.metrics().bytesRead(), ResourceValue.Source.SAMPLED, 3 * MB)));
    }

    /**
     * Roots whose figures, and their children's, become final in the same flushes: each root's history entry is
     * renewed once, with its own figures (the renewal matches a batch's tasks to entries by root id; a root
     * comes once per child in a batch).
     */
    @Test
    void theHistoryShowsEachRootsOwnFiguresWhenTheirChildrenSettleWithThem() throws Exception {
        Path file = dir.resolve("1mb.bin");
        Files.write(file, new byte[(int) MB]);
        List<SpawningTask<Long>> roots = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            int reads = i;
            roots.add(sampling.to(Long.class).named("history-root-" + i).run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                context.runChild(() -> Work.read(file, 1));
                context.runChild(() -> Work.read(file, 1));
                long read = Work.read(file, reads);
                context.joinChildren();
                return read;
            }));
        }
        roots.forEach(SpawningTask::join);
        await().atMost(SETTLE).untilAsserted(() -> {
            List<TaskInfo> recent = sampling.recent();
            assertThat(recent).extracting(TaskInfo::id).containsExactlyInAnyOrderElementsOf(
                    roots.stream().map(SpawningTask::id).toList());
            for (int i = 0; i < roots.size(); i++) {
                TaskId id = roots.get(i).id();
                TaskInfo entry = recent.stream().filter(info -> info.id().equals(id)).findFirst().orElseThrow();
                assertBytes("root " + (i + 1) + " in the history", entry.metrics().bytesRead(),
                        ResourceValue.Source.SAMPLED, (i + 1) * MB);
                assertThat(entry.children()).hasSize(2).allSatisfy(child -> assertBytes("a child in the history",
                        child.metrics().bytesRead(), ResourceValue.Source.SAMPLED, MB));
            }
        });
    }

    @Test
    void workTooSmallToSampleIsUnavailableButIoIsCountedExactly() throws Exception {
        Path file = dir.resolve("1kb.bin");
        Files.write(file, new byte[1024]);
        SpawningTask<Long> small = sampling.to(Long.class).run(() -> {
            Work.spinCpu(20_000_000L);
            return Work.read(file, 1);
        });
        small.join();
        await().atMost(SETTLE).until(() -> !small.metrics().bytesRead().isPending());
        TaskMetrics metrics = small.metrics();
        assertThat(metrics.cpuTimeNanos()).as("20 ms of CPU: two samples, too coarse").isEqualTo(ResourceValue.unavailable());
        assertThat(metrics.allocatedBytes()).as("a few KB: below one TLAB").isEqualTo(ResourceValue.unavailable());
        assertBytes("a 1 KB file", metrics.bytesRead(), ResourceValue.Source.SAMPLED, 1024);
        assertThat(metrics.bytesWritten()).as("no write: a zero that is a fact").isEqualTo(ResourceValue.sampled(0));
    }

    @Test
    void closingTheOrchestratorLeavesNoFigurePendingForever() throws Exception {
        Path file = dir.resolve("2mb.bin");
        Files.write(file, new byte[(int) (2 * MB)]);
        SpawningTask<Long> reader = sampling.to(Long.class).run(() -> Work.read(file, 1));
        reader.join();
        sampling.close();
        ResourceValue read = reader.metrics().bytesRead();
        if (read.isAvailable()) {
            assertBytes("its events were in before the close", read, ResourceValue.Source.SAMPLED, 2 * MB);
        }
        else {
            assertThat(read).as("never a guess, nor pending forever").isEqualTo(ResourceValue.unavailable());
        }
    }

    /** Bytes read: exactly the file's, plus any class files the task's thread loaded on the way. */
    private static void assertBytes(String what, ResourceValue value, ResourceValue.Source source, long bytes) {
        assertThat(value.source()).as(what + ": " + value).isEqualTo(source);
        assertThat(value.amount()).as(what + ": " + value).isBetween(bytes, bytes + CLASS_LOADING);
    }
}
