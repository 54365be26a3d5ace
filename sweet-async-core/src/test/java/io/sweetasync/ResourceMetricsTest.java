package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Honest resource figures: tolerances are generous for a noisy shared machine, but every test pairs a
 * figure with one that a fake (wall time, a constant, the runtime's total) would get wrong.
 */
@RunsAlone
class ResourceMetricsTest {

    private static final long MB = 1 << 20;
    private static final Duration ATTRIBUTION = Duration.ofSeconds(20);

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();

    @AfterEach
    void close() {
        sampling.close();
    }

    /** Burns CPU for about {@code millis} of wall time; returns the wall time it took. */
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static long burn(long millis) {
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        double sink = 0;
        while (System.nanoTime() < end) {
            sink += Math.sqrt(sink + 1);
        }
        return sink > 0 ? System.nanoTime() - start : -1;
    }

    @Test
    void aFigureRefusesAnAmountItsSourceCannotHaveAndNamesIt() {
        assertThat(ResourceValue.pending(0)).isEqualTo(new ResourceValue(0, ResourceValue.Source.PENDING));
        assertThat(ResourceValue.pending(0).isPending()).isTrue();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> ResourceValue.pending(-1))
                .withMessageContaining("-1").withMessageContaining("PENDING");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> ResourceValue.measured(Long.MIN_VALUE)).withMessageContaining(String.valueOf(Long.MIN_VALUE));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new ResourceValue(0, ResourceValue.Source.UNAVAILABLE)).withMessageContaining("UNAVAILABLE");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new ResourceValue(1, null));
    }

    @Test
    void aCpuBoundPlatformTaskReportsMeasuredCpuCloseToItsBusyTimeAndASleeperAlmostNone() {
        // The body measures its own thread's CPU: compared with that, not with the wall time (on a loaded machine
        // a busy loop may get well under a quarter of a core).
        SpawningTask<long[]> busy = sampling.to(long[].class).runtime("platform").run(() -> {
            long before = THREADS.getCurrentThreadCpuTime();
            long wall = burn(300);
            return new long[] {wall, THREADS.getCurrentThreadCpuTime() - before};
        });
        long wall = busy.join()[0];
        long truth = busy.join()[1];
        ResourceValue cpu = busy.metrics().cpuTimeNanos();
        assertThat(cpu.source()).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(cpu.amount()).as("CPU cannot exceed the wall time of a single thread")
                .isLessThanOrEqualTo(wall + 20_000_000L)
                .as("the body's own CPU, measured around it").isBetween(truth, truth + 20_000_000L);

        SpawningTask<Void> sleeper = sampling.<Void>to().runtime("platform").run(() -> {
            Thread.sleep(300);
            return null;
        });
        sleeper.join();
        assertThat(sleeper.metrics().cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(sleeper.metrics().cpuTimeNanos().amount()).isLessThan(50_000_000L);
        assertThat(sleeper.metrics().runTime()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aVirtualThreadTaskGetsASampledCpuFigureNearItsCpuTimeAndASleeperNoMadeUpZero() {
        SpawningTask<Long> busy = sampling.to(Long.class).run(() -> Work.spinCpu(400_000_000L));
        long truth = busy.join();
        SpawningTask<Void> sleeper = sampling.<Void>to().run(() -> {
            Thread.sleep(400);
            return null;
        });
        sleeper.join();
        await().atMost(ATTRIBUTION).until(() -> !busy.metrics().cpuTimeNanos().isPending()
                && !sleeper.metrics().cpuTimeNanos().isPending());
        ResourceValue cpu = busy.metrics().cpuTimeNanos();
        if (sampling.parts().attribution().cpuSampled()) {
            assertThat(cpu.source()).isEqualTo(ResourceValue.Source.SAMPLED);
            assertThat((double) cpu.amount()).isCloseTo(truth, withinPercentage(35));
        }
        else {
            assertThat(cpu).isEqualTo(ResourceValue.unavailable());
        }
        assertThat(sleeper.metrics().cpuTimeNanos()).as("below the sampling's resolution: not a sampled zero")
                .isEqualTo(ResourceValue.unavailable());
        assertThat(sleeper.metrics().runTime()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void allocating200MegabytesIsReportedMeasuredOnPlatformAndSampledOnVirtualThreads() {
        java.util.concurrent.Callable<Integer> allocate = () -> {
            int kept = 0;
            for (int i = 0; i < 200; i++) {
                byte[] block = new byte[(int) MB];
                kept += block.length > 0 ? 1 : 0;
            }
            return kept;
        };
        SpawningTask<Integer> platform = sampling.to(Integer.class).runtime("platform").run(allocate);
        SpawningTask<Integer> virtual = sampling.to(Integer.class).run(allocate);
        assertThat(platform.join() + virtual.join()).isEqualTo(400);
        ResourceValue measured = platform.metrics().allocatedBytes();
        assertThat(measured.source()).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(measured.amount()).isBetween(200 * MB, 260 * MB);
        // TLAB-granular attribution: within a TLAB per carrier switch of the truth.
        await().atMost(ATTRIBUTION).untilAsserted(() -> {
            ResourceValue sampled = virtual.metrics().allocatedBytes();
            assertThat(sampled.source()).isEqualTo(ResourceValue.Source.SAMPLED);
            assertThat(sampled.amount()).isBetween(190 * MB, 260 * MB);
        });
    }

    @Test
    void readingA20MegabyteFileIsAttributedToTheTaskThatReadIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[(int) (20 * MB)]);
        SpawningTask<Integer> reader = sampling.to(Integer.class).run(() -> {
            try (InputStream in = Files.newInputStream(file)) {
                return in.readAllBytes().length;
            }
        });
        SpawningTask<Integer> bystander = sampling.to(Integer.class).run(() -> burn(100) > 0 ? 1 : 0);
        assertThat(reader.join()).isEqualTo(20 * MB);
        bystander.join();
        await().atMost(ATTRIBUTION).until(() -> !reader.metrics().bytesRead().isPending()
                && !bystander.metrics().bytesRead().isPending());
        ResourceValue read = reader.metrics().bytesRead();
        assertThat(read.source()).isEqualTo(ResourceValue.Source.SAMPLED);
        assertThat(read.amount()).isBetween(20 * MB, 21 * MB);
        assertThat(bystander.metrics().bytesRead()).as("all its events are in: a zero that is a fact")
                .isEqualTo(ResourceValue.sampled(0));
        assertThat(reader.metrics().bytesWritten()).isEqualTo(ResourceValue.sampled(0));
    }

    @Test
    void bytesMovedOverALoopbackSocketAreAttributed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofPlatform().start(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[64 * 1024];
                    long received = 0;
                    while (received < 4 * MB) {
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        received += n;
                    }
                    socket.getOutputStream().write(new byte[(int) MB]);
                    socket.getOutputStream().flush();
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            SpawningTask<Integer> client = sampling.to(Integer.class).run(() -> {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(new byte[(int) (4 * MB)]);
                    out.flush();
                    return socket.getInputStream().readNBytes((int) MB).length;
                }
            });
            assertThat(client.join()).isEqualTo(MB);
            peer.join();
            await().atMost(ATTRIBUTION).untilAsserted(() -> {
                TaskMetrics metrics = client.metrics();
                assertThat(metrics.bytesWritten().amount()).isBetween(4 * MB, 4 * MB + 64 * 1024);
                assertThat(metrics.bytesRead().amount()).isBetween(MB, MB + 64 * 1024);
            });
        }
    }

    /**
     * A parent on a one-thread pool waits for its child, which runs while the parent's thread waits: the
     * child's CPU is charged to the child alone. The child burns
     * 200 ms of CPU by its own thread's clock, however loaded the machine (a 300 ms busy loop by the wall clock
     * got 48 ms of CPU under a load of 12), and the figures are compared with each other and with what the
     * child's thread counted, never with the wall time: a parent charged for the child would read at least
     * the child's 200 ms, three times its bound.
     */
    @Test
    void aWaitingParentOnAPoolIsNotChargedForTheChildItRunsNested() {
        Work.assumeCounters();
        SpawningTask<Long> parent = sampling.to(Long.class).runtime("single").run(() -> {
            SpawningTask<Long> child = TaskContext.current().orElseThrow()
                    .runChild(() -> Work.spinCpu(200_000_000L));
            return child.join();
        });
        long childWork = parent.join();
        TaskInfo tree = sampling.find(parent.id()).orElseThrow();
        ResourceValue childCpu = tree.children().getFirst().metrics().cpuTimeNanos();
        ResourceValue parentCpu = parent.metrics().cpuTimeNanos();
        assertThat(childCpu.source()).as("the child's CPU: %s", childCpu).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(childCpu.amount()).as("the child's CPU; its body's thread counted %d ns", childWork)
                .isGreaterThanOrEqualTo(childWork);
        assertThat(parentCpu.source()).as("the parent's CPU: %s", parentCpu).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(parentCpu.amount()).as("parent's own CPU excludes the child's %d ns", childCpu.amount())
                .isLessThan(childCpu.amount() / 3);
    }

    @Test
    void withoutSamplingVirtualThreadsAndIoAreUnavailableAndOffMeansNothing() {
        try (TaskOrchestrator measuring = TaskOrchestrator.builder().build();
                TaskOrchestrator off = TaskOrchestrator.builder().resourceTracking(ResourceTracking.OFF).build()) {
            SpawningTask<Long> virtual = measuring.to(Long.class).run(() -> burn(20));
            virtual.join();
            assertThat(virtual.metrics().cpuTimeNanos().isAvailable()).isFalse();
            assertThat(virtual.metrics().bytesRead().isAvailable()).isFalse();
            SpawningTask<Long> platform = measuring.to(Long.class).runtime("platform").run(() -> burn(20));
            platform.join();
            assertThat(platform.metrics().cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(platform.metrics().bytesRead().isAvailable()).isFalse();
            SpawningTask<Long> untracked = off.to(Long.class).runtime("platform").run(() -> burn(20));
            untracked.join();
            assertThat(untracked.metrics().cpuTimeNanos().isAvailable()).isFalse();
            assertThat(untracked.metrics().allocatedBytes().isAvailable()).isFalse();
        }
    }

    /** Spins until this thread has used {@code millis} of CPU (not wall) time, however loaded the machine. */
    private static long burnCpu(long millis) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long end = threads.getCurrentThreadCpuTime() + millis * 1_000_000;
        double sink = 0;
        while (threads.getCurrentThreadCpuTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                sink += Math.sqrt(sink + 1);
            }
        }
        return sink > 0 ? millis : -1;
    }

    @Test
    void totalsPerTaskName() {
        for (int i = 0; i < 3; i++) {
            sampling.to(Long.class).named("crunch").runtime("platform").await(() -> burnCpu(10));
        }
        ResourceUsage crunch = sampling.resourceUsage().stream().filter(u -> u.name().equals("crunch")).findFirst()
                .orElseThrow();
        assertThat(crunch.attempts()).isEqualTo(3);
        assertThat(crunch.cpuNanos()).isGreaterThan(20_000_000L);
        // one name's totals, looked up, are those of the list of all (sampled amounts may have arrived since)
        assertThat(sampling.resourceUsage("crunch")).hasValueSatisfying(one -> {
            assertThat(one.name()).isEqualTo("crunch");
            assertThat(one.attempts()).isEqualTo(3);
            assertThat(one.cpuNanos()).isGreaterThanOrEqualTo(crunch.cpuNanos());
        });
        assertThat(sampling.resourceUsage("never-ran")).isEmpty();
        assertThatThrownBy(() -> sampling.resourceUsage((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
    }
}
