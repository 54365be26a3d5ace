package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13CallbackProbeTest {

    @Test
    void anOnRetryingListenerJoinsATaskQueuedBehind() throws Exception {
        AtomicReference<SpawningTask<String>> behind = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>();
        CountDownLatch queued = new CountDownLatch(1);
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1)).listener(new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                try {
                    queued.await();
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
                seen.set(behind.get().join());
            }
        }).build()) {
            AtomicInteger attempts = new AtomicInteger();
            SpawningTask<Integer> first = o.to(Integer.class).runtime("single").retry(RetryPolicy.fixed(1, Duration.ZERO))
                    .run(() -> {
                        if (attempts.incrementAndGet() == 1) {
                            throw new java.io.IOException("once");
                        }
                        return 2;
                    });
            behind.set(o.to(String.class).runtime("single").run(() -> "b"));
            queued.countDown();
            assertThat(first.join()).isEqualTo(2);
            assertThat(seen.get()).isEqualTo("b");
        }
    }

    @Test
    void aStuckOnStartedListenerIsBoundedByTheDeadline() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        try (TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("stuck")) {
                    while (true) {
                        try {
                            hold.await();
                            return;
                        }
                        catch (InterruptedException ignored) {
                        }
                    }
                }
            }
        }).build()) {
            try {
                SpawningTask<Integer> stuck = o.to(Integer.class).named("stuck").runtime("single")
                        .timeout(Duration.ofMillis(100)).run(() -> 1);
                SpawningTask<Integer> next = o.to(Integer.class).named("next").runtime("single").run(() -> 2);
                assertThat(stuck.result().isOk()).isFalse();
                assertThat(stuck.status()).isEqualTo(TaskStatus.TIMED_OUT);
                assertThat(next.join()).isEqualTo(2);
            }
            finally {
                hold.countDown();
            }
        }
    }

    @Test
    void callbacksReenteringTheirOwnTask() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1)).build()) {
            for (String runtime : List.of("single", "p1", "virtual")) {
                for (int i = 0; i < 200; i++) {
                    CountDownLatch go = new CountDownLatch(1);
                    SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).run(() -> {
                        go.await();
                        return 1;
                    });
                    CompletableFuture<Integer> f = t.toCompletableFuture();
                    AtomicReference<Object> inCallback = new AtomicReference<>();
                    CompletableFuture<Object> cb = f.handle((v, e) -> {
                        boolean c1 = t.cancel();
                        boolean c2 = f.cancel(true);
                        return c1 + "/" + c2 + "/" + t.result().isOk() + "/" + t.status();
                    });
                    CompletableFuture<Object> cb2 = f.thenApply(v -> t.join() + f.join());
                    if (i % 2 == 0) {
                        go.countDown();
                    }
                    else {
                        Thread.onSpinWait();
                        boolean c = t.cancel();
                        go.countDown();
                        assertThat(c).isEqualTo(t.result().isOk() ? false : t.status() == TaskStatus.CANCELLED);
                    }
                    Object r = cb.get(20, TimeUnit.SECONDS);
                    if (t.result().isOk()) {
                        assertThat(r).isEqualTo("false/false/true/COMPLETED");
                        assertThat(cb2.get(20, TimeUnit.SECONDS)).isEqualTo(2);
                    }
                    else {
                        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
                    }
                }
            }
        }
    }
}
