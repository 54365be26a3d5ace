package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ResourceTracking;
import io.sweetasync.ResourceUsage;
import io.sweetasync.ResourceValue;
import io.sweetasync.TaskMetrics;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README "Resource figures": the claims a user checks without JFR. */
@Timeout(60)
class Review16ReadmeResourcesTest {

    private static long work() {
        long sum = 0;
        for (int i = 0; i < 200_000; i++) {
            sum += Integer.toString(i).hashCode();
        }
        return sum;
    }

    // "default: MEASURE (no JFR)"; "MEASURED (exact per-thread counters, platform threads)"; IO is sampled only,
    // so without JFR it is UNAVAILABLE: "never a made-up number"
    @Test
    void byDefaultAPlatformTaskHasMeasuredCpuAndAllocationAndNoMadeUpIo() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SpawningTask<Long> task = orchestrator.to(Long.class).named("r16-platform").runtime("platform")
                    .run(Review16ReadmeResourcesTest::work);
            task.join();
            TaskMetrics m = task.metrics();
            assertThat(m.queueWait()).isNotNull();
            assertThat(m.runTime()).isPositive();
            assertThat(m.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(m.cpuTimeNanos().amount()).isPositive();
            assertThat(m.allocatedBytes().source()).isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(m.allocatedBytes().amount()).isPositive();
            assertThat(m.bytesRead().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(m.bytesWritten().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
        }
    }

    // "A runaway on a virtual thread under MEASURE has nothing to wait for (its CPU and allocation are
    // UNAVAILABLE from the start)": and so for any virtual-thread task under MEASURE ("SAMPLED ... the only way
    // to see virtual threads")
    @Test
    void aVirtualThreadTaskUnderMeasureHasNoCpuOrAllocationFigure() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.MEASURE).build()) {
            SpawningTask<Long> task = orchestrator.to(Long.class).named("r16-virtual").runtime("virtual")
                    .run(Review16ReadmeResourcesTest::work);
            task.join();
            TaskMetrics m = task.metrics();
            assertThat(m.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(m.allocatedBytes().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
        }
    }

    // "build that orchestrator with resourceTracking(ResourceTracking.OFF)": no figure is made up
    @Test
    void offMeasuresNothing() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.OFF).build()) {
            SpawningTask<Long> task = orchestrator.to(Long.class).named("r16-off").runtime("platform")
                    .run(Review16ReadmeResourcesTest::work);
            task.join();
            TaskMetrics m = task.metrics();
            assertThat(m.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(m.allocatedBytes().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(m.bytesRead().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
        }
    }

    // "orchestrator.resourceUsage(); // totals per task name" and "resourceUsage("order-import"); // one name's
    // totals (Optional)"
    @Test
    void resourceUsageTotalsPerName() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            for (int i = 0; i < 3; i++) {
                orchestrator.to(Long.class).named("r16-totals").runtime("platform")
                        .run(Review16ReadmeResourcesTest::work).join();
            }
            Optional<ResourceUsage> usage = orchestrator.resourceUsage("r16-totals");
            assertThat(usage).isPresent();
            assertThat(usage.orElseThrow().attempts()).isEqualTo(3);
            assertThat(usage.orElseThrow().cpuNanos()).isPositive();
            assertThat(usage.orElseThrow().allocatedBytes()).isPositive();
            assertThat(orchestrator.resourceUsage()).extracting(ResourceUsage::name).contains("r16-totals");
            assertThat(orchestrator.resourceUsage("r16-never-ran")).isEmpty();
        }
    }
}
