package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class Review10MetricsTest {

    static long burn(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long x = 0;
        while (System.nanoTime() < end) {
            x += System.identityHashCode(new Object());
        }
        return x;
    }

    @Test
    void figuresOfTasksRunByVirtualSparesAreNoMeasurement() {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1, 0)).build();
        try {
            SpawningTask<Long>[] child = new SpawningTask[1];
            SpawningTask<Long> parent = o.to(Long.class).named("parent").runtime("p1").run(() -> {
                child[0] = TaskContext.current().orElseThrow().child(Long.class).named("child").run(() -> burn(150));
                return child[0].join(); // hands p1's only slot to a spare: a virtual thread (maxSpareThreads 0)
            });
            parent.join();
            TaskMetrics c = child[0].metrics();
            TaskMetrics p = parent.metrics();
            // the child ran on a virtual spare (p1's only thread waited in the parent): not measured, and said so
            assertThat(c.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(c.allocatedBytes().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(p.cpuTimeNanos().source()).as("the parent, on p1's platform thread").isEqualTo(ResourceValue.Source.MEASURED);
        }
        finally {
            o.close();
        }
    }

    @Test
    void figuresOfATaskCancelledBeforeItRan() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1)).build();
        try {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch in = new CountDownLatch(1);
            SpawningTask<Integer> blocker = o.to(Integer.class).runtime("p1").run(() -> {
                in.countDown();
                hold.await();
                return 1;
            });
            in.await();
            SpawningTask<Integer> queued = o.to(Integer.class).runtime("p1").run(() -> 2);
            queued.cancel();
            queued.result();
            assertThat(queued.metrics().cpuTimeNanos().source()).as("never ran: nothing measured")
                    .isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(queued.info().runTime()).isEqualTo(java.time.Duration.ZERO);
            hold.countDown();
            blocker.join();
            assertThat(blocker.metrics().cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
        }
        finally {
            o.close();
        }
    }
}
