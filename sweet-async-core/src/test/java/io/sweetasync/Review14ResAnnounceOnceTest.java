package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Under churn (virtual and platform tasks, half retried once, one listener that throws on every call), every task
 * whose {@code onFinished} showed pending figures hears {@code onResourcesUpdated} exactly once, with every figure
 * final, and figures final in {@code onFinished} are unchanged there; no other task hears it.
 */
@RunsAlone
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Review14ResAnnounceOnceTest {

    private final Map<TaskId, TaskMetrics> finishedPending = new ConcurrentHashMap<>();
    private final Map<TaskId, TaskMetrics> finishedFinal = new ConcurrentHashMap<>();
    private final Map<TaskId, AtomicInteger> updates = new ConcurrentHashMap<>();
    private final Set<String> wrong = ConcurrentHashMap.newKeySet();

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
            .listener(new TaskListener() {
                @Override
                public void onResourcesUpdated(TaskInfo task) {
                    throw new IllegalStateException("a listener that always throws");
                }
            })
            .listener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    TaskMetrics m = task.metrics();
                    boolean pending = m.cpuTimeNanos().isPending() || m.allocatedBytes().isPending()
                            || m.bytesRead().isPending() || m.bytesWritten().isPending();
                    (pending ? finishedPending : finishedFinal).put(task.id(), m);
                }

                @Override
                public void onResourcesUpdated(TaskInfo task) {
                    updates.computeIfAbsent(task.id(), id -> new AtomicInteger()).incrementAndGet();
                    TaskMetrics m = task.metrics();
                    if (m.cpuTimeNanos().isPending() || m.allocatedBytes().isPending() || m.bytesRead().isPending()
                            || m.bytesWritten().isPending()) {
                        wrong.add(task.id() + " announced with pending figures " + m);
                    }
                    TaskMetrics before = finishedPending.get(task.id());
                    if (before == null) {
                        wrong.add(task.id() + " announced without pending figures in onFinished");
                    }
                    else {
                        keep(task.id(), "CPU", before.cpuTimeNanos(), m.cpuTimeNanos());
                        keep(task.id(), "allocation", before.allocatedBytes(), m.allocatedBytes());
                    }
                }
            })
            .build();

    private void keep(TaskId id, String what, ResourceValue inFinished, ResourceValue now) {
        if (!inFinished.isPending() && !inFinished.equals(now)) {
            wrong.add(id + " " + what + " final in onFinished " + inFinished + " changed to " + now);
        }
    }

    @AfterEach
    void close() {
        sampling.close();
    }

    @Test
    void everyTaskWithPendingFiguresIsAnnouncedExactlyOnce() throws Exception {
        assumeThat(sampling.parts().attribution()).as("JDK Flight Recorder available").isNotNull();
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int n = i;
            AtomicInteger tries = new AtomicInteger();
            tasks.add(sampling.to(Integer.class).runtime(n % 3 == 0 ? "platform" : "virtual")
                    .retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                        byte[] garbage = new byte[1024 * (1 + n % 64)];
                        if (n % 2 == 0 && tries.incrementAndGet() == 1) {
                            throw new IOException("first attempt of " + n);
                        }
                        return garbage.length;
                    }));
        }
        for (SpawningTask<Integer> task : tasks) {
            task.join();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> finishedPending.keySet().stream()
                .allMatch(id -> updates.containsKey(id)));
        Thread.sleep(2000); // late duplicates, if any, would arrive with the next flushes
        assertThat(finishedPending.size() + finishedFinal.size()).isEqualTo(tasks.size());
        assertThat(wrong).isEmpty();
        assertThat(updates.entrySet()).allSatisfy(entry -> assertThat(entry.getValue().get())
                .as("announcements of %s", entry.getKey()).isOne());
        assertThat(updates.keySet()).isEqualTo(finishedPending.keySet());
    }
}
