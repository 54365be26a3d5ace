package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link ResourceUsage}: a name's totals are "sums of what was attributed", sampled amounts added "also those of
 * tasks whose own figure ends UNAVAILABLE". A platform-thread attempt whose counters read at its start was
 * expected to be measured, so its samples stayed out of the totals (its measured figure would count there); when a
 * counter was switched off before the attempt ended, the attempt ended unmeasured and its figure was the sampled
 * one, but neither that nor any measured figure reached the totals: a task that burned 400 ms of CPU and
 * allocated 64 MB, sampled as such, counted 0 ns and 0 bytes in its name's totals. (The counter switched off before
 * the attempt started was mended earlier: {@code FiguresReviewTest#aNamesCpuTotalCountsTheSamplesOfAnUnmeasuredPlatformTask}.)
 */
@RunsAlone
class Review16ResTotalsTurnedOffTest {

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long MB = 1 << 20;

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();

    @AfterEach
    void close() {
        THREADS.setThreadCpuTimeEnabled(true);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        sampling.close();
    }

    @Test
    void anAttemptWhoseCountersAreSwitchedOffBeforeItEndsCountsItsSamplesInItsNamesTotals() throws Exception {
        Work.assumeCounters();
        ResourceAttribution attribution = sampling.parts().attribution();
        Assumptions.assumeTrue(attribution != null, "JDK Flight Recorder");
        CountDownLatch finalFigures = new CountDownLatch(1);
        sampling.addListener(new TaskListener() {
            @Override
            public void onResourcesUpdated(TaskInfo task) {
                finalFigures.countDown();
            }
        });
        SpawningTask<Integer> task = sampling.to(Integer.class).named("switched-off").runtime("platform").run(() -> {
            Work.spinCpu(400_000_000L);
            Work.allocate(64 * MB);
            // switched off by someone else (a monitoring agent, say) while the attempt runs
            THREADS.setThreadCpuTimeEnabled(false);
            THREADS.setThreadAllocatedMemoryEnabled(false);
            return 1;
        });
        assertThat(task.join()).isEqualTo(1);
        assertThat(finalFigures.await(60, TimeUnit.SECONDS)).as("the task's sampled figures became final").isTrue();
        THREADS.setThreadCpuTimeEnabled(true);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        TaskMetrics figures = task.metrics();
        ResourceUsage totals = sampling.resourceUsage("switched-off").orElseThrow();
        assertThat(figures.allocatedBytes().source()).as("no counter at the end: not MEASURED: %s", figures)
                .isNotEqualTo(ResourceValue.Source.MEASURED);
        Assumptions.assumeTrue(figures.allocatedBytes().source() == ResourceValue.Source.SAMPLED,
                "enough TLAB refills: " + figures.allocatedBytes());
        assertThat(totals.allocatedBytes()).as("the name's allocation total; its only task's sampled figure is %s",
                figures.allocatedBytes()).isGreaterThanOrEqualTo(figures.allocatedBytes().amount() / 2);
        if (figures.cpuTimeNanos().source() == ResourceValue.Source.SAMPLED) {
            assertThat(totals.cpuNanos()).as("the name's CPU total; its only task's sampled figure is %s",
                    figures.cpuTimeNanos()).isGreaterThanOrEqualTo(figures.cpuTimeNanos().amount() / 2);
        }
    }
}
