package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Second hostile review of the resource figures (SPEC 1.10: "Never report a placeholder as a measurement"):
 * environments and timings the first review did not try. No timing assertions: a figure is compared with
 * what the thread's own counters said the body did.
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FiguresReviewTest {

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    static volatile Object sink;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .resourceTracking(ResourceTracking.MEASURE)
            .build();

    @AfterEach
    void close() {
        THREADS.setThreadCpuTimeEnabled(true);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        orchestrator.close();
    }

    private static void allocate(long bytes) {
        for (long done = 0; done < bytes; done += 64) {
            sink = new byte[48];
        }
    }

    /**
     * Someone (a monitoring agent, a JMX console) switches thread CPU time and allocation measurement off
     * while a body runs: the counters then answer -1, and an attempt that began with a real reading has no
     * end. Its figures are not measured; they were MEASURED 0 for a body that burned 100 ms and allocated
     * 32 MB.
     */
    @Test
    void countersSwitchedOffDuringAnAttemptMakeNoMeasuredZero() {
        Work.assumeCounters();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("platform").run(() -> {
            Work.spinCpu(100_000_000L);
            allocate(32L << 20);
            THREADS.setThreadCpuTimeEnabled(false);
            THREADS.setThreadAllocatedMemoryEnabled(false);
            return 1;
        });
        assertThat(task.join()).isEqualTo(1);
        TaskMetrics m = task.metrics();
        assertThat(m.cpuTimeNanos()).as("CPU of a body that burned 100 ms, its counter switched off before it ended")
                .satisfiesAnyOf(v -> assertThat(v.isAvailable()).isFalse(),
                        v -> assertThat(v.amount()).isGreaterThanOrEqualTo(100_000_000L));
        assertThat(m.allocatedBytes()).as("allocation of a body that allocated 32 MB, its counter switched off")
                .satisfiesAnyOf(v -> assertThat(v.isAvailable()).isFalse(),
                        v -> assertThat(v.amount()).isGreaterThanOrEqualTo(32L << 20));
    }

    /**
     * The same inside a child run nested on its parent's thread (a caller-runs executor), measurement back on
     * before the parent ends: the parent's figure is its own, so it cannot exceed what its thread used while
     * it ran. The child's unreadable end made its share count negative, and the parent was charged every
     * nanosecond of CPU and every byte its thread had used before the child started.
     */
    @Test
    void countersSwitchedOffInANestedChildDoNotInflateItsParent() {
        Work.assumeCounters();
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        AtomicLong threadCpu = new AtomicLong();
        AtomicLong threadAllocated = new AtomicLong();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).runtime("direct").run(() -> {
            long cpuBefore = THREADS.getCurrentThreadCpuTime();
            long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
            child.set(TaskContext.current().orElseThrow().runChild(() -> {
                Work.spinCpu(20_000_000L);
                THREADS.setThreadCpuTimeEnabled(false);
                THREADS.setThreadAllocatedMemoryEnabled(false);
                return 1;
            }));
            int value = child.get().join();
            THREADS.setThreadCpuTimeEnabled(true);
            THREADS.setThreadAllocatedMemoryEnabled(true);
            threadCpu.set(THREADS.getCurrentThreadCpuTime() - cpuBefore);
            threadAllocated.set(THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore);
            return value;
        });
        assertThat(parent.join()).isEqualTo(1);
        TaskMetrics p = parent.metrics();
        long slack = 50_000_000L; // the engine's own work around the body, generously
        assertThat(p.cpuTimeNanos()).as("the parent's CPU; its thread used %d ns while it ran", threadCpu.get())
                .satisfiesAnyOf(v -> assertThat(v.isAvailable()).isFalse(),
                        v -> assertThat(v.amount()).isLessThanOrEqualTo(threadCpu.get() + slack));
        assertThat(p.allocatedBytes()).as("the parent's allocation; its thread allocated %d bytes while it ran",
                threadAllocated.get())
                .satisfiesAnyOf(v -> assertThat(v.isAvailable()).isFalse(),
                        v -> assertThat(v.amount()).isLessThanOrEqualTo(threadAllocated.get() + (8L << 20)));
    }

    /**
     * The same switch made before the engine first measured anything in this JVM (a monitoring agent that
     * starts with thread CPU time and allocation measurement off, a JMX console, a test that switches them
     * back on in its {@code finally}), then undone: from then on the counters read again, and an attempt
     * that began and ended with real readings is measured. The engine read the switches once, as it loaded,
     * and reported every figure of the JVM's life {@code UNAVAILABLE}. Run in an engine loaded afresh (its
     * own class loader), for this JVM's engine has measured long before this test.
     */
    @Test
    void countersSwitchedOffWhenTheEngineLoadsAreMeasuredOnceSwitchedBackOn() throws Exception {
        Work.assumeCounters();
        URL[] classes = {TaskOrchestrator.class.getProtectionDomain().getCodeSource().getLocation(),
            FiguresReviewTest.class.getProtectionDomain().getCodeSource().getLocation()};
        try (URLClassLoader fresh = new EngineFirst(classes, FiguresReviewTest.class.getClassLoader())) {
            @SuppressWarnings("unchecked")
            Callable<long[]> run = (Callable<long[]>) fresh.loadClass(SwitchedBackOnAfterLoading.class.getName())
                    .getConstructor().newInstance();
            assertThat(run.getClass()).isNotSameAs(SwitchedBackOnAfterLoading.class);
            long[] figures = run.call();
            assertThat(figures[0]).as("the CPU figure of a body whose thread counted %d ns of its work", figures[1])
                    .isGreaterThanOrEqualTo(figures[1]);
            assertThat(figures[2]).as("the allocation figure of a body whose thread counted %d bytes of its work",
                    figures[3]).isGreaterThanOrEqualTo(figures[3]);
        }
        finally {
            THREADS.setThreadCpuTimeEnabled(true);
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    /**
     * Loaded by {@link EngineFirst}: switches both counters off, runs the engine's first task, switches them
     * back on and runs a measured one; returns its CPU figure, the CPU its work counted, its allocation
     * figure and the bytes its work counted.
     */
    public static final class SwitchedBackOnAfterLoading implements Callable<long[]> {

        @Override
        public long[] call() {
            THREADS.setThreadCpuTimeEnabled(false);
            THREADS.setThreadAllocatedMemoryEnabled(false);
            try (TaskOrchestrator engine = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE)
                    .build()) {
                assertThat(engine.to(Integer.class).runtime("platform").run(() -> 1).join()).isEqualTo(1);
                THREADS.setThreadCpuTimeEnabled(true);
                THREADS.setThreadAllocatedMemoryEnabled(true);
                AtomicLong cpu = new AtomicLong();
                AtomicLong allocated = new AtomicLong();
                SpawningTask<Integer> task = engine.to(Integer.class).runtime("platform").run(() -> {
                    cpu.set(Work.spinCpu(20_000_000L));
                    allocated.set(Work.allocate(8L << 20));
                    return 1;
                });
                assertThat(task.join()).isEqualTo(1);
                TaskMetrics m = task.metrics();
                return new long[] {m.cpuTimeNanos().amount(), cpu.get(), m.allocatedBytes().amount(), allocated.get()};
            }
        }
    }

    /** Loads this module's classes and tests ({@code io.sweetasync}) itself, everything else from its parent. */
    private static final class EngineFirst extends URLClassLoader {

        EngineFirst(URL[] classes, ClassLoader parent) {
            super(classes, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.sweetasync.")) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    /**
     * A runaway (its task timed out, its body ignores the interrupt and keeps burning CPU) under
     * {@code MEASURE}: at its terminal status its CPU is {@code UNAVAILABLE} (its attempt still runs), and
     * that is what {@code onFinished}, the history ({@code recent()}) and the store get; when the body returns,
     * {@code metrics()} turns {@code MEASURED} with the whole attempt's CPU, and nobody is told: no
     * {@code onResourcesUpdated}, the history and the store keep {@code UNAVAILABLE}, Micrometer's per-task
     * distribution never records it. {@link TaskSnapshots} promises figures "exact once the task is
     * terminal". Decided: a runaway's figures are {@code PENDING} while its body runs and announced once it
     * returns. Here the latest figures announced (onResourcesUpdated, else onFinished) must be the ones the
     * task keeps, and the history must agree.
     */
    @Test
    void aRunawaysFiguresDoNotChangeUnannouncedAfterItsTerminalStatus() {
        Work.assumeCounters();
        AtomicReference<TaskInfo> announced = new AtomicReference<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                announced.compareAndSet(null, task);
            }

            @Override
            public void onResourcesUpdated(TaskInfo task) {
                announced.set(task);
            }
        });
        AtomicBoolean release = new AtomicBoolean();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("runaway").runtime("platform")
                .timeout(Duration.ofSeconds(1)).run(() -> {
                    while (!release.get()) {
                        Work.spinCpu(5_000_000L); // ignores its interrupt
                    }
                    return 1;
                });
        await().alias("the task timed out, its body still running").atMost(Duration.ofSeconds(60))
                .until(() -> task.status() == TaskStatus.TIMED_OUT && announced.get() != null
                        && !orchestrator.runaways().isEmpty());
        release.set(true);
        await().alias("the runaway's body returned").atMost(Duration.ofSeconds(60))
                .until(() -> orchestrator.runaways().isEmpty());
        await().alias("figures announced that are no longer pending").atMost(Duration.ofSeconds(60))
                .until(() -> !announced.get().metrics().cpuTimeNanos().isPending());
        TaskMetrics kept = task.metrics();
        TaskMetrics history = orchestrator.recent().stream().filter(t -> t.id().equals(task.id())).findFirst()
                .orElseThrow().metrics();
        assertThat(kept.cpuTimeNanos()).as("the CPU figure the task keeps, against the one last announced")
                .isEqualTo(announced.get().metrics().cpuTimeNanos());
        assertThat(kept.cpuTimeNanos()).as("the CPU figure the task keeps, against the history's")
                .isEqualTo(history.cpuTimeNanos());
    }

    /**
     * A long-lived body (a consumer loop) starts tasks on a caller-runs executor runtime, which run nested
     * on its thread. Under {@code MEASURE_AND_SAMPLE} each is a slice of that thread's timeline, and a
     * timeline forgot settled slices only from its front: behind the loop's own slice, open as long as it
     * runs, every nested task's slice stayed, and with it the task (its figures name it). 100 detached
     * tasks, finished, their figures final, out of a history of one: they must become unreachable while
     * the loop still runs.
     */
    @Test
    void tasksNestedInALongLivedBodyAreNotKeptByItsOpenSlice() throws Exception {
        TaskOrchestrator sampling = TaskOrchestrator.builder().historySize(1)
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();
        try {
            List<WeakReference<SpawningTask<?>>> nested = new CopyOnWriteArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> loop = sampling.to(Integer.class).named("consumer").run(() -> {
                for (int i = 0; i < 100; i++) {
                    SpawningTask<Integer> task = sampling.to(Integer.class).named("nested").detached()
                            .runtime("direct").run(() -> {
                                allocate(1 << 16);
                                return 1;
                            });
                    task.join();
                    nested.add(new WeakReference<>(task));
                }
                release.await();
                return 0;
            });
            await().alias("100 nested tasks ran").atMost(Duration.ofSeconds(60)).until(() -> nested.size() == 100);
            await().alias("finished nested tasks unreachable while the loop runs (the history keeps one)")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                        System.gc();
                        return nested.stream().filter(ref -> ref.get() != null).count() <= 1;
                    });
            release.countDown();
            assertThat(loop.join()).isZero();
        }
        finally {
            sampling.close();
        }
    }

    /**
     * The JDK Flight Recorder stream failed (its {@code onError}) or closed while the orchestrator goes on:
     * every figure then ends {@code UNAVAILABLE}, and nothing would ever prune the ledger again (only the
     * stream's flushes did). Each attempt from then on left its slice, and through its figures its task, in
     * the ledger for good: memory growing with every task for the rest of the JVM's life.
     */
    @Test
    void aLedgerWhoseStreamStoppedKeepsNoSlices() {
        SliceLedger ledger = new SliceLedger(new FigureUpdates(nodes -> {
        }));
        ledger.stop();
        List<WeakReference<SampledFigures>> figures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            figures.add(openAndClose(ledger));
        }
        await().alias("the figures of attempts after the stream stopped unreachable").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    System.gc();
                    return figures.stream().allMatch(ref -> ref.get() == null);
                });
    }

    /** One attempt's slice, opened and closed; its figures held weakly only (no local outlives this call). */
    private static WeakReference<SampledFigures> openAndClose(SliceLedger ledger) {
        SampledFigures attempt = new SampledFigures(null, new UsageTotals(), true);
        ledger.close(ledger.open(attempt, false, false));
        assertThat(attempt.value(TaskFigures.Resource.CPU)).isEqualTo(ResourceValue.unavailable());
        return new WeakReference<>(attempt);
    }

    /**
     * {@link ResourceUsage}: totals of a name, "measured and sampled figures together". Thread CPU time
     * measurement is off (switched off at run time: the counter reads -1), so a platform task's CPU is not
     * measured and its own figure is the sampled one; the name's total skipped those samples all the same,
     * as if the thread's counter had counted them, and said 0 ns for a task that burned 400 ms of CPU.
     */
    @Test
    void aNamesCpuTotalCountsTheSamplesOfAnUnmeasuredPlatformTask() throws Exception {
        Work.assumeCounters();
        CountDownLatch finalFigures = new CountDownLatch(1);
        TaskOrchestrator sampling = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
                .build();
        sampling.addListener(new TaskListener() {
            @Override
            public void onResourcesUpdated(TaskInfo task) {
                finalFigures.countDown();
            }
        });
        try {
            ResourceAttribution attribution = sampling.parts().attribution();
            Assumptions.assumeTrue(attribution != null && attribution.cpuSampled(),
                    "CPU-time sampling (jdk.CPUTimeSample, JDK 25+ on Linux)");
            THREADS.setThreadCpuTimeEnabled(false);
            SpawningTask<Integer> task = sampling.to(Integer.class).named("unmeasured-cpu").runtime("platform")
                    .run(() -> {
                        // 400 ms of CPU by this thread's clock (a 400 ms busy loop by the wall clock got too few
                        // samples on a loaded machine, and the test was skipped), read with the counter switched on
                        // for the body alone: the engine's readings around it still read -1.
                        THREADS.setThreadCpuTimeEnabled(true);
                        try {
                            Work.spinCpu(400_000_000L);
                        }
                        finally {
                            THREADS.setThreadCpuTimeEnabled(false);
                        }
                        return 1;
                    });
            assertThat(task.join()).isEqualTo(1);
            assertThat(finalFigures.await(60, TimeUnit.SECONDS)).as("the task's sampled figures became final").isTrue();
            ResourceValue cpu = task.metrics().cpuTimeNanos();
            assertThat(cpu.source()).as("no counter: not MEASURED").isNotEqualTo(ResourceValue.Source.MEASURED);
            Assumptions.assumeTrue(cpu.source() == ResourceValue.Source.SAMPLED, "enough CPU samples: " + cpu);
            assertThat(sampling.resourceUsage("unmeasured-cpu").orElseThrow().cpuNanos())
                    .as("the name's CPU total; its only task's sampled CPU is %d ns", cpu.amount())
                    .isGreaterThanOrEqualTo(cpu.amount() / 2);
        }
        finally {
            THREADS.setThreadCpuTimeEnabled(true);
            sampling.close();
        }
    }
}
