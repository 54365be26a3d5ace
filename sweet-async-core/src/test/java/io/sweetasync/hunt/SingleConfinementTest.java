package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/**
 * SPEC 1.7: SINGLE runs "tasks one at a time"; README "Runtimes": a waiting body "gives its slot to a spare
 * thread for the wait ...; when the wait ends it carries on at once (for a moment the runtime then runs one body
 * more than its size, until the spare finishes its current task; a single runtime's spare then retires, and its
 * tasks run on its own thread again, so state confined to that thread stays whole)".
 * Here body a (single) starts b1..b5 (single) and joins b1. The spare runs b1; when b1 ends the spare, seeing a
 * still counted as waiting (a's thread has not woken yet), takes b2 too, 100-900 us after b1 ended: b2 runs on
 * the spare thread concurrently with a's resumed body. Fails in most of 10 repetitions.
 */
@Timeout(value = 60)
class SingleConfinementTest {

    /**
     * Once b1 ended, a's thread may wait for a processor for a long time on a loaded machine (it still shows parked):
     * the spare took b2 then, after a grace of 20 ms, and this test could only call such a run inconclusive. The own
     * thread's wait now tells the spare when it has been woken (OwnWake), so every run must hold, however late a
     * resumes.
     */
    @org.junit.jupiter.api.RepeatedTest(10)
    void afterSpareRetiresTasksRunOnTheSingleThreadOneAtATime() throws Exception {
        runOnce();
    }

    private static void runOnce() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            Map<String, Thread> threads = new ConcurrentHashMap<>();
            Map<String, long[]> spans = new ConcurrentHashMap<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunningNotA = new AtomicInteger();
            SpawningTask<String> a = o.to(String.class).named("a").runtime("single").run(() -> {
                threads.put("a", Thread.currentThread());
                TaskContext c = TaskContext.current().orElseThrow();
                List<SpawningTask<String>> bs = new ArrayList<>();
                for (int i = 1; i <= 5; i++) {
                    String n = "b" + i;
                    bs.add(c.child(String.class).named(n).run(() -> {
                        long s = System.nanoTime();
                        threads.put(n, Thread.currentThread());
                        int r = running.incrementAndGet();
                        maxRunningNotA.accumulateAndGet(r, Math::max);
                        Thread.sleep(20);
                        running.decrementAndGet();
                        spans.put(n, new long[] {s, System.nanoTime()});
                        return n;
                    }));
                }
                bs.get(0).join();
                long resumed = System.nanoTime();
                Thread.sleep(60);
                spans.put("a", new long[] {resumed, System.nanoTime()});
                return "a";
            });
            a.join();
            System.out.println(threads + " b2 starts " + (spans.get("b2")[0] - spans.get("b1")[1]) / 1000
                    + " us after b1 ended, a resumed " + (spans.get("a")[0] - spans.get("b1")[1]) / 1000 + " us after");
            for (int i = 2; i <= 5; i++) {
                long[] s = spans.get("b" + i);
                assertThat(s[0]).as("b" + i + " started while a was running after its wait").isGreaterThanOrEqualTo(spans.get("a")[1]);
                assertThat(threads.get("b" + i)).as("b" + i + " thread").isSameAs(threads.get("a"));
            }
            assertThat(maxRunningNotA.get()).isEqualTo(1);
        }
    }

    @Test
    void crossOrchestratorSingleWaitsAcyclic() throws Exception {
        try (TaskOrchestrator a = TaskOrchestrator.builder().build(); TaskOrchestrator b = TaskOrchestrator.builder().build()) {
            SpawningTask<String> t = a.to(String.class).named("a1").runtime("single").run(() -> {
                SpawningTask<String> a2 = a.to(String.class).named("a2").runtime("single").detached().run(() -> "a2");
                SpawningTask<String> b1 = b.to(String.class).named("b1").runtime("single").run(() -> {
                    SpawningTask<String> b2 = b.to(String.class).named("b2").runtime("single").run(() -> "b2");
                    return a2.join() + b2.join();
                });
                return b1.join();
            });
            assertThat(t.toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo("a2b2");
        }
    }
}
