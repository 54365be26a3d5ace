package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class RetryChildrenTest {

    @Test
    void childrenOfFailedAttemptSurviveRetry() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            AtomicReference<SpawningTask<String>> c1 = new AtomicReference<>();
            SpawningTask<Integer> t = o.to(Integer.class).named("t").retry(RetryPolicy.fixed(1, Duration.ofMillis(10))).run(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                if (ctx.attempt() == 1) {
                    c1.set(ctx.child(String.class).named("c1").run(() -> { Thread.sleep(100); return "c1"; }));
                    throw new IOException("first attempt fails");
                }
                ctx.runChild(() -> "c2");
                List<TaskResult<?>> all = ctx.joinChildren();
                return all.size() * 10 + (int) all.stream().filter(TaskResult::isOk).count();
            });
            assertThat(t.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(22);
            assertThat(c1.get().status()).isEqualTo(TaskStatus.COMPLETED);
        }
    }

    @Test
    void groupChildrenOfFailedAttemptAndRetryPermit() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().group("rc", LimiterConfig.defaults().withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED)
                .withLimits(1, 1, 1).withQueueCapacity(10).withMaxWait(Duration.ofSeconds(10))).build()) {
            SpawningTask<Integer> t = o.to(Integer.class).named("t").group("rc").retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                ctx.child(String.class).named("c").group("rc").run(() -> { Thread.sleep(20); return "c"; });
                if (ctx.attempt() < 3) throw new IOException("again");
                return ctx.joinChildren().size();
            });
            assertThat(t.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(3);
            long dl = System.nanoTime() + 3_000_000_000L;
            while (o.limiters().get(0).inFlight() != 0 && System.nanoTime() < dl) Thread.sleep(5);
            assertThat(o.limiters().get(0).inFlight()).isZero();
        }
    }

    @Test
    void timeoutDuringRetryDelayCancelsEarlierAttemptsChildren() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            AtomicReference<SpawningTask<String>> c1 = new AtomicReference<>();
            // the deadline runs from submission: on a loaded machine it can pass before the body has made its
            // child (then there is no child to check), so such a run is repeated with a deadline twice as long
            for (Duration timeout = Duration.ofMillis(100); c1.get() == null; timeout = timeout.multipliedBy(2)) {
                assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
                AtomicReference<SpawningTask<String>> mine = new AtomicReference<>();
                SpawningTask<Integer> t = o.to(Integer.class).named("t").timeout(timeout)
                        .retry(RetryPolicy.fixed(1, Duration.ofSeconds(Long.MAX_VALUE))).run(() -> {
                            mine.set(TaskContext.current().orElseThrow().child(String.class).named("c1").run(() -> { Thread.sleep(10_000); return "c1"; }));
                            throw new IOException("fails");
                        });
                CompletableFuture.supplyAsync(t::result).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
                assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
                c1.set(mine.get());
            }
            assertThat(c1.get().status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }
}
