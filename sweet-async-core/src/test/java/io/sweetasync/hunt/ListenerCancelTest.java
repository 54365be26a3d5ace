package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class ListenerCancelTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"created,virtual,false", "queued,virtual,false", "started,virtual,false", "created,single,true",
            "queued,single,true", "started,single,true", "queued,platform,true", "started,platform,false",
            "retrying,virtual,true", "retrying,single,false"})
    void listenerCancelsTask(String event, String runtime, boolean group) throws Exception {
        Map<TaskId, Boolean> answers = new ConcurrentHashMap<>();
        TaskListener l = new TaskListener() {
            void maybe(String e, TaskInfo t) {
                if (e.equals(event) && t.name().startsWith("victim")) answers.put(t.id(), orch.cancel(t.id()));
            }
            @Override public void onCreated(TaskInfo t) { maybe("created", t); }
            @Override public void onQueued(TaskInfo t) { maybe("queued", t); }
            @Override public void onStarted(TaskInfo t) { maybe("started", t); }
            @Override public void onRetrying(TaskInfo t, Throwable e, Duration d) { maybe("retrying", t); }
        };
        orch = TaskOrchestrator.builder().listener(l)
                .group("g", LimiterConfig.defaults().withLimits(1, 1, 1).withQueueCapacity(100)).build();
        AtomicInteger bodies = new AtomicInteger();
        List<SpawningTask<String>> ts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            SpawningTaskBuilder<String> b = orch.to(String.class).named("victim" + i).runtime(runtime)
                    .retry(RetryPolicy.fixed(2, Duration.ZERO));
            if (group) b = b.group("g");
            ts.add(b.run(() -> {
                bodies.incrementAndGet();
                if (event.equals("retrying")) throw new IOException("again");
                Thread.sleep(30_000);
                return "x";
            }));
        }
        for (SpawningTask<String> t : ts) {
            TaskResult<String> r = CompletableFuture.supplyAsync(t::result).get(10, TimeUnit.SECONDS);
            Boolean ans = answers.get(t.id());
            assertThat(ans).as(t.name() + " cancel answer").isNotNull();
            assertThat(t.status() == TaskStatus.CANCELLED).as(t.name() + " " + t.status() + " answer " + ans).isEqualTo(ans);
            assertThat(t.status()).as(t.name()).isEqualTo(TaskStatus.CANCELLED);
        }
        if (event.equals("created") || event.equals("queued")) assertThat(bodies.get()).isZero();
        if (event.equals("retrying")) assertThat(bodies.get()).isEqualTo(50);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (orch.liveCount() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(orch.liveCount()).isZero();
        assertThat(orch.limiters().stream().allMatch(s -> s.inFlight() == 0 && s.queued() == 0)).as(orch.limiters().toString()).isTrue();
    }
}
