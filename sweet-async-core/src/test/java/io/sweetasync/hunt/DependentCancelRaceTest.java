package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 120)
class DependentCancelRaceTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void chainAndAfterCancelRacingUpstream() throws Exception {
        Map<TaskId, TaskStatus> seen = new ConcurrentHashMap<>();
        orch = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override public void onFinished(TaskInfo t) { if (seen.put(t.id(), t.status()) != null) seen.put(t.id(), null); }
        }).build();
        List<String> bad = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(3);
        for (int i = 0; i < 3000; i++) {
            CountDownLatch go = new CountDownLatch(1);
            int mode = i % 4;
            SpawningTask<Integer> up = orch.to(Integer.class).named("up").run(() -> { go.await(); return 1; });
            SpawningTask<Integer> down = mode % 2 == 0 ? up.chain(x -> x + 1)
                    : orch.to(Integer.class).named("after").after(up).run(() -> 2);
            Future<Boolean> cUp = mode >= 2 ? ex.submit((Callable<Boolean>) () -> up.cancel()) : null;
            Future<Boolean> cDown = ex.submit((Callable<Boolean>) () -> down.cancel());
            go.countDown();
            TaskResult<Integer> rd = CompletableFuture.supplyAsync(down::result).get(10, TimeUnit.SECONDS);
            up.result();
            boolean cd = cDown.get();
            boolean cu = cUp != null && cUp.get();
            TaskStatus sd = down.status();
            TaskStatus su = up.status();
            String w = "i=" + i + " mode=" + mode + " up=" + su + "/" + cu + " down=" + sd + "/" + cd + " r=" + rd;
            if (cd && sd != TaskStatus.CANCELLED) bad.add("cancel true but " + w);
            if (cu && su != TaskStatus.CANCELLED) bad.add("up cancel true but " + w);
            if (su == TaskStatus.CANCELLED && sd != TaskStatus.CANCELLED) bad.add("up cancelled, down not: " + w);
            if (rd.isOk() != (sd == TaskStatus.COMPLETED)) bad.add("result/status " + w);
            if (sd == TaskStatus.COMPLETED && (su != TaskStatus.COMPLETED)) bad.add("down ran without up " + w);
            long dl = System.nanoTime() + 2_000_000_000L;
            while ((!seen.containsKey(down.id()) || !seen.containsKey(up.id())) && System.nanoTime() < dl) Thread.sleep(1);
            if (seen.get(down.id()) != sd) bad.add("listener down " + seen.get(down.id()) + " " + w);
            if (seen.get(up.id()) != su) bad.add("listener up " + seen.get(up.id()) + " " + w);
        }
        ex.shutdown();
        bad.stream().limit(20).forEach(System.out::println);
        assertThat(bad).isEmpty();
    }
}
