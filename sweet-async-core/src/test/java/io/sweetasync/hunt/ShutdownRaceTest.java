package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 120)
class ShutdownRaceTest {

    @RepeatedTest(5)
    void shutdownWhileManyThreadsSubmit() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().group("sg", LimiterConfig.defaults().withLimits(2, 1, 2).withQueueCapacity(50)).build();
        List<SpawningTask<Integer>> all = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> subs = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            int ss = s;
            subs.add(Thread.ofPlatform().start(() -> {
                Random rnd = new Random(ss);
                while (!stop.get()) {
                    SpawningTaskBuilder<Integer> b = o.to(Integer.class).named("s").runtime(List.of("virtual", "platform", "single").get(rnd.nextInt(3)));
                    if (rnd.nextBoolean()) b = b.group("sg");
                    all.add(b.run(() -> { Thread.sleep(rnd.nextInt(3)); return 1; }));
                }
            }));
        }
        Thread.sleep(50);
        boolean done = o.shutdown(Duration.ofMillis(200));
        stop.set(true);
        for (Thread t : subs) t.join();
        List<String> bad = new ArrayList<>();
        for (SpawningTask<Integer> t : all) {
            TaskResult<Integer> r = CompletableFuture.supplyAsync(t::result).get(10, TimeUnit.SECONDS);
            if (!t.isDone()) bad.add("not done " + t.status());
            if (!r.isOk() && !(((TaskResult.Err<Integer>) r).error() instanceof TaskRejectedException) && !(((TaskResult.Err<Integer>) r).error() instanceof TaskCancelledException))
                bad.add("unexpected " + r);
        }
        assertThat(o.liveCount()).isZero();
        assertThat(o.limiters().get(0).inFlight()).isZero();
        System.out.println("tasks " + all.size() + " shutdown " + done);
        o.close();
        assertThat(bad).isEmpty();
    }
}
