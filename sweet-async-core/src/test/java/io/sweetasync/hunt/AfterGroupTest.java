package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class AfterGroupTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void tasksWaitingForDependenciesDoNotFillTheGroupQueue() throws Exception {
        orch = TaskOrchestrator.builder().group("g", LimiterConfig.defaults().withLimits(1, 1, 1).withQueueCapacity(1)
                .withMaxWait(Duration.ofSeconds(30))).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<String> holder = orch.to(String.class).named("holder").group("g").run(() -> { holding.countDown(); release.await(); return "h"; });
        holding.await();
        SpawningTask<String> dep = orch.to(String.class).named("dep").run(() -> { Thread.sleep(60_000); return "d"; });
        List<SpawningTask<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) waiting.add(orch.to(String.class).named("w").group("g").after(dep).run(() -> "w"));
        Thread.sleep(50);
        for (SpawningTask<String> w : waiting) assertThat(w.isDone()).as("waiting for dep, " + w.status()).isFalse();
        SpawningTask<String> q = orch.to(String.class).named("q").group("g").run(() -> "q");
        Thread.sleep(50);
        assertThat(q.isDone()).as("q " + q.status()).isFalse();
        release.countDown();
        assertThat(q.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("q");
        dep.cancel();
        for (SpawningTask<String> w : waiting) {
            TaskResult<String> r = CompletableFuture.supplyAsync(w::result).get(5, TimeUnit.SECONDS);
            assertThat(w.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(((TaskResult.Err<String>) r).error().getMessage()).contains("dep");
        }
        holder.join();
    }
}
