package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/** A body that fails with another task's timeout/cancellation exception (from joining it) has failed, not been stopped. */
@Timeout(value = 60)
class ForeignStopErrorsTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void bodyRethrowingChildTimeoutIsRetriedAndFailsNotTimesOut() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> p = orch.to(String.class).named("p").retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
            attempts.incrementAndGet();
            return TaskContext.current().orElseThrow().child(String.class).named("c").timeout(Duration.ofMillis(10))
                    .run(() -> { Thread.sleep(10_000); return "c"; }).join();
        });
        TaskResult<String> r = CompletableFuture.supplyAsync(p::result).get(20, TimeUnit.SECONDS);
        System.out.println("p " + p.status() + " attempts " + attempts + " " + r);
        assertThat(p.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void bodyRethrowingSiblingCancellationFailsNotCancelled() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> other = orch.to(String.class).named("other").run(() -> { Thread.sleep(10_000); return "o"; });
        CountDownLatch waiting = new CountDownLatch(1);
        SpawningTask<String> p = orch.to(String.class).named("p").run(() -> { waiting.countDown(); return other.join(); });
        waiting.await();
        Thread.sleep(20);
        assertThat(other.cancel()).isTrue();
        TaskResult<String> r = CompletableFuture.supplyAsync(p::result).get(20, TimeUnit.SECONDS);
        System.out.println("p " + p.status() + " " + r);
        assertThat(p.status()).as("nobody cancelled p").isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<String>) r).error()).isInstanceOf(TaskFailedException.class);
    }

    @Test
    void ownJavaTimeoutExceptionIsRetriedByRule() throws Exception {
        orch = TaskOrchestrator.builder().group("g", LimiterConfig.defaults()).build();
        AtomicInteger n = new AtomicInteger();
        SpawningTask<String> t = orch.to(String.class).named("t").group("g")
                .retry(RetryPolicy.when(TimeoutException.class, RetryPolicy.fixed(2, Duration.ZERO)))
                .run(() -> { if (n.incrementAndGet() < 3) throw new TimeoutException("downstream"); return "ok"; });
        assertThat(t.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void rejectedChildExceptionRethrown() throws Exception {
        orch = TaskOrchestrator.builder().group("tiny", LimiterConfig.defaults().withLimits(1, 1, 1).withQueueCapacity(0)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<String> holder = orch.to(String.class).named("holder").group("tiny").run(() -> { holding.countDown(); release.await(); return "h"; });
        holding.await();
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> p = orch.to(String.class).named("p").retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
            attempts.incrementAndGet();
            return orch.to(String.class).named("c").group("tiny").run(() -> "c").join();
        });
        TaskResult<String> r = CompletableFuture.supplyAsync(p::result).get(20, TimeUnit.SECONDS);
        System.out.println("p " + p.status() + " attempts " + attempts + " " + r);
        assertThat(p.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<String>) r).error()).isInstanceOf(TaskFailedException.class);
        release.countDown();
        holder.join();
    }
}
