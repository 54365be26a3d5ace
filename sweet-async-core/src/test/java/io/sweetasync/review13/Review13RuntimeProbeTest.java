package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13RuntimeProbeTest {

    private final List<TaskOrchestrator> made = new ArrayList<>();

    private TaskOrchestrator orchestrator(TaskListener... listeners) {
        TaskOrchestrator.Builder b = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1));
        for (TaskListener l : listeners) {
            b = b.listener(l);
        }
        TaskOrchestrator o = b.build();
        made.add(o);
        return o;
    }

    @AfterEach
    void close() {
        made.forEach(TaskOrchestrator::close);
    }

    /** A listener on a single runtime's thread joins a task queued on that runtime behind the ended task. */
    @Test
    void aListenerOnTheSingleThreadJoinsATaskQueuedBehind() throws Exception {
        AtomicReference<SpawningTask<String>> behind = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>();
        TaskOrchestrator o = orchestrator(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("first")) {
                    seen.set(behind.get().join());
                }
            }
        });
        for (String runtime : List.of("single", "p1")) {
            CountDownLatch go = new CountDownLatch(1);
            SpawningTask<String> first = o.to(String.class).named("first").runtime(runtime).run(() -> {
                go.await();
                return "f";
            });
            behind.set(o.to(String.class).named("behind").runtime(runtime).run(() -> "b"));
            go.countDown();
            assertThat(first.join()).isEqualTo("f");
            assertThat(seen.get()).isEqualTo("b");
        }
    }

    /** A fallback on a single runtime's thread joins a task queued behind. */
    @Test
    void aFallbackOnTheSingleThreadJoinsATaskQueuedBehind() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (String runtime : List.of("single", "p1")) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<SpawningTask<String>> behind = new AtomicReference<>();
            SpawningTask<String> first = o.to(String.class).named("first").runtime(runtime)
                    .fallback(e -> behind.get().join()).run(() -> {
                        go.await();
                        throw new IllegalStateException("boom");
                    });
            behind.set(o.to(String.class).named("behind").runtime(runtime).run(() -> "b"));
            go.countDown();
            assertThat(first.join()).isEqualTo("b");
        }
    }

    /** A completion callback (registered before the end) runs on the single thread and joins a task queued behind. */
    @Test
    void aCompletionCallbackOnTheSingleThreadJoinsATaskQueuedBehind() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (String runtime : List.of("single", "p1")) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<SpawningTask<String>> behind = new AtomicReference<>();
            SpawningTask<String> first = o.to(String.class).named("first").runtime(runtime).run(() -> {
                go.await();
                return "f";
            });
            CompletableFuture<String> after = first.toCompletableFuture().thenApply(v -> v + behind.get().join());
            behind.set(o.to(String.class).named("behind").runtime(runtime).run(() -> "b"));
            go.countDown();
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo("fb");
        }
    }

    /** Nested waits several levels deep alternating single and a 1-thread platform runtime, all wait kinds. */
    @Test
    void nestedWaitsAlternatingRuntimes() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (int round = 0; round < 10; round++) {
            assertThat(level(o, 0, round)).isEqualTo(8);
        }
    }

    private static int level(TaskOrchestrator o, int depth, int round) throws Exception {
        if (depth == 8) {
            return depth;
        }
        String runtime = (depth + round) % 2 == 0 ? "single" : "p1";
        SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).detached().run(() -> level(o, depth + 1, round));
        return switch ((depth + round) % 6) {
            case 0 -> t.join();
            case 1 -> t.get(Long.MAX_VALUE, TimeUnit.DAYS);
            case 2 -> t.toCompletableFuture().thenApply(x -> x).join();
            case 3 -> t.toCompletableFuture().minimalCompletionStage().toCompletableFuture().get();
            case 4 -> t.toCompletableFuture().copy().get(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            default -> t.result().orElseThrow();
        };
    }

    /** A flood of LOW tasks on single, then a HIGH one with a deadline: it runs next. */
    @Test
    void aHighTaskWithADeadlineOvertakesAFloodOfLowOnes() throws Exception {
        TaskOrchestrator o = orchestrator();
        CountDownLatch hold = new CountDownLatch(1);
        o.to(Void.class).runtime("single").priority(TaskPriority.LOW).run(() -> {
            hold.await();
            return null;
        });
        AtomicInteger lowDone = new AtomicInteger();
        List<SpawningTask<Void>> lows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            lows.add(o.to(Void.class).runtime("single").priority(TaskPriority.LOW).run(() -> {
                lowDone.incrementAndGet();
                return null;
            }));
        }
        SpawningTask<Integer> high = o.to(Integer.class).runtime("single").priority(TaskPriority.HIGH)
                .timeout(Duration.ofSeconds(30)).run(lowDone::get);
        hold.countDown();
        assertThat(high.join()).isEqualTo(0);
        lows.forEach(SpawningTask::join);
    }

    /** A HIGH task queued behind an interrupt-ignoring LOW body on single times out at its deadline. */
    @Test
    void aQueuedHighTaskTimesOutBehindAStubbornLowBody() throws Exception {
        TaskOrchestrator o = orchestrator();
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Void> low = o.to(Void.class).runtime("single").priority(TaskPriority.LOW).run(() -> {
            started.countDown();
            while (true) {
                try {
                    hold.await();
                    return null;
                }
                catch (InterruptedException ignored) {
                }
            }
        });
        started.await();
        SpawningTask<Integer> high = o.to(Integer.class).runtime("single").priority(TaskPriority.HIGH)
                .timeout(Duration.ofMillis(200)).run(() -> 1);
        try {
            assertThat(high.result().isOk()).isFalse();
            assertThat(high.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        finally {
            hold.countDown();
        }
        low.join();
    }

    /** Zero, negative and huge timeouts. */
    @Test
    void zeroNegativeAndHugeTimeouts() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (String runtime : List.of("virtual", "single", "p1")) {
            Throwable zero = null;
            try {
                SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).timeout(Duration.ZERO).run(() -> 1);
                t.result();
                System.out.println(runtime + " zero -> " + t.status());
            }
            catch (RuntimeException ex) {
                zero = ex;
                System.out.println(runtime + " zero refused: " + ex);
            }
            try {
                SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).timeout(Duration.ofNanos(-1)).run(() -> 1);
                t.result();
                System.out.println(runtime + " negative -> " + t.status());
            }
            catch (RuntimeException ex) {
                System.out.println(runtime + " negative refused: " + ex);
            }
            SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).timeout(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))
                    .retry(RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).withJitter(1))
                    .run(() -> 1);
            assertThat(t.join()).isEqualTo(1);
        }
    }

    /** Cancel during a huge retry backoff: CANCELLED, cancel() true, at once. */
    @Test
    void cancelDuringAHugeBackoff() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (String runtime : List.of("virtual", "single", "p1")) {
            CountDownLatch failed = new CountDownLatch(1);
            SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime)
                    .retry(RetryPolicy.fixed(Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).retryOn(AssertionError.class))
                    .run(() -> {
                        failed.countDown();
                        throw new AssertionError("err");
                    });
            failed.await();
            boolean c = t.cancel();
            TaskStatus s = t.result().isOk() ? TaskStatus.COMPLETED : t.status();
            assertThat(c).isEqualTo(s == TaskStatus.CANCELLED);
            assertThat(s).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    /** A timeout during a huge retry backoff ends TIMED_OUT. */
    @Test
    void timeoutDuringAHugeBackoff() throws Exception {
        TaskOrchestrator o = orchestrator();
        for (String runtime : List.of("virtual", "single", "p1")) {
            SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).timeout(Duration.ofMillis(100))
                    .retry(RetryPolicy.fixed(3, Duration.ofDays(365 * 200)))
                    .run(() -> {
                        throw new java.io.IOException("io");
                    });
            assertThat(t.result().isOk()).isFalse();
            assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
    }
}
