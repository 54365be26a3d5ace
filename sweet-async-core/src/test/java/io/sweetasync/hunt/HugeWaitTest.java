package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class HugeWaitTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    SpawningTask<String> slow(String runtime) {
        return orch.to(String.class).named("slow").runtime(runtime).run(() -> { Thread.sleep(50); return "v"; });
    }

    @Test
    void hugeAndNegativeWaits() throws Exception {
        orch = TaskOrchestrator.builder().build();
        for (String rt : List.of("virtual", "platform", "single")) {
            assertThat(slow(rt).get(Long.MAX_VALUE, TimeUnit.NANOSECONDS)).isEqualTo("v");
            assertThat(slow(rt).get(Long.MAX_VALUE, TimeUnit.DAYS)).isEqualTo("v");
            assertThat(slow(rt).toCompletableFuture().get(Long.MAX_VALUE, TimeUnit.DAYS)).isEqualTo("v");
            assertThat(slow(rt).toCompletableFuture().thenApply(x -> x).get(Long.MAX_VALUE, TimeUnit.DAYS)).isEqualTo("v");
            assertThat(slow(rt).toCompletableFuture().orTimeout(Long.MAX_VALUE, TimeUnit.DAYS).get(5, TimeUnit.SECONDS)).isEqualTo("v");
            assertThat(slow(rt).toCompletableFuture().completeOnTimeout("t", Long.MAX_VALUE, TimeUnit.DAYS).get(5, TimeUnit.SECONDS)).isEqualTo("v");
            SpawningTask<String> s = slow(rt);
            assertThatThrownBy(() -> s.get(Long.MIN_VALUE, TimeUnit.NANOSECONDS)).isInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> s.get(-1, TimeUnit.DAYS)).isInstanceOf(TimeoutException.class);
            assertThat(s.join()).isEqualTo("v");
            // a body on the runtime doing the same against another task of the runtime
            SpawningTask<String> outer = orch.to(String.class).named("outer").runtime(rt).run(() -> {
                SpawningTask<String> inner = TaskContext.current().orElseThrow().child(String.class).named("inner").run(() -> "i");
                return inner.get(Long.MAX_VALUE, TimeUnit.DAYS) + inner.toCompletableFuture().orTimeout(Long.MAX_VALUE, TimeUnit.NANOSECONDS).join();
            });
            assertThat(outer.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("ii");
        }
    }

    @Test
    void hugeDefaults() throws Exception {
        orch = TaskOrchestrator.builder().defaultTimeout(Duration.ofSeconds(Long.MAX_VALUE))
                .defaultRetry(RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofNanos(1), Duration.ofNanos(1)).retryOn(java.io.IOException.class))
                .defaultGroupConfig(LimiterConfig.defaults().withMaxWait(Duration.ofSeconds(Long.MAX_VALUE)))
                .build();
        int[] n = {0};
        SpawningTask<String> t = orch.to(String.class).named("many").group("any").run(() -> {
            if (++n[0] < 500) throw new java.io.IOException("again");
            return "done " + n[0];
        });
        assertThat(t.toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo("done 500");
        assertThat(t.info().attempts()).isEqualTo(500);
        SpawningTask<String> child = orch.to(String.class).named("p").timeout(Duration.ofMillis(100)).run(() ->
                TaskContext.current().orElseThrow().child(String.class).named("c").timeout(Duration.ofSeconds(Long.MAX_VALUE)).run(() -> { Thread.sleep(10_000); return "c"; }).join());
        CompletableFuture.supplyAsync(child::result).get(5, TimeUnit.SECONDS);
        assertThat(child.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }
}
