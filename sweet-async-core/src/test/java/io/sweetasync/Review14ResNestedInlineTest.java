package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that runs inline on its parent's thread (a direct executor runtime) is the child's: its IO is in the
 * child's figures, not the parent's, and each name's totals hold each task's own amounts, never a child's twice
 * nor a platform attempt's measured allocation again from its samples.
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review14ResNestedInlineTest {

    private static final int MB = 1 << 20;

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
            .runtime(TaskRuntime.executor("inline", Runnable::run)).build();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        sampling.close();
    }

    @Test
    void anInlineChildsIoAndAllocationAreItsOwnAndCountedOnceInTheTotals() throws Exception {
        assumeThat(sampling.parts().attribution()).as("JDK Flight Recorder available").isNotNull();
        Path small = dir.resolve("small.bin");
        Path large = dir.resolve("large.bin");
        Files.write(small, new byte[MB]);
        Files.write(large, new byte[3 * MB]);
        for (String runtime : new String[] { "virtual", "platform" }) {
            String parentName = "parent-" + runtime;
            String childName = "child-" + runtime;
            long[] childId = new long[1];
            SpawningTask<Integer> parent = sampling.to(Integer.class).named(parentName).runtime(runtime).run(() -> {
                int own = Files.readAllBytes(small).length;
                SpawningTask<Integer> child = TaskContext.current().orElseThrow().child(Integer.class).named(childName)
                        .runtime("inline").run(() -> Files.readAllBytes(large).length);
                int nested = child.join();
                return own + nested;
            });
            assertThat(parent.join()).isEqualTo(4 * MB);
            await().atMost(Duration.ofSeconds(30)).until(() -> sampling.find(parent.id()).map(info ->
                    !info.metrics().bytesRead().isPending() && !info.children().isEmpty()
                            && !info.children().getFirst().metrics().bytesRead().isPending()).orElse(false));
            TaskInfo tree = sampling.find(parent.id()).orElseThrow();
            TaskInfo child = tree.children().getFirst();
            ResourceValue parentRead = tree.metrics().bytesRead();
            ResourceValue childRead = child.metrics().bytesRead();
            assertThat(childRead.source()).as("%s child's read: %s", runtime, childRead)
                    .isEqualTo(ResourceValue.Source.SAMPLED);
            assertThat(childRead.amount()).as("%s child's read", runtime).isBetween(3L * MB, 3L * MB + MB / 2);
            assertThat(parentRead.source()).as("%s parent's read: %s", runtime, parentRead)
                    .isEqualTo(ResourceValue.Source.SAMPLED);
            assertThat(parentRead.amount()).as("%s parent's read excludes its inline child's", runtime)
                    .isBetween((long) MB, (long) MB + MB / 2);

            ResourceUsage parentTotals = sampling.resourceUsage(parentName).orElseThrow();
            ResourceUsage childTotals = sampling.resourceUsage(childName).orElseThrow();
            assertThat(parentTotals.bytesRead()).as("%s parent's name totals", runtime).isEqualTo(parentRead.amount());
            assertThat(childTotals.bytesRead()).as("%s child's name totals", runtime).isEqualTo(childRead.amount());
            if (runtime.equals("platform")) {
                ResourceValue parentAllocated = tree.metrics().allocatedBytes();
                ResourceValue childAllocated = child.metrics().allocatedBytes();
                assertThat(parentAllocated.source()).isEqualTo(ResourceValue.Source.MEASURED);
                assertThat(childAllocated.source()).isEqualTo(ResourceValue.Source.MEASURED);
                assertThat(parentTotals.allocatedBytes()).as("measured once, not again from samples")
                        .isEqualTo(parentAllocated.amount());
                assertThat(childTotals.allocatedBytes()).as("measured once, not again from samples")
                        .isEqualTo(childAllocated.amount());
            }
        }
    }
}
