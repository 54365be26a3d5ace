package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Review10Probe3Test {
    private final TaskOrchestrator o = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        o.close();
    }

    private static void cancelledAllViews(SpawningTask<?> t, String what) {
        t.result();
        assertThat(t.status()).as(what + " status").isEqualTo(TaskStatus.CANCELLED);
        assertThat(t.isCancelled()).as(what + " isCancelled").isTrue();
        assertThat(t.isDone()).as(what + " isDone").isTrue();
        assertThatThrownBy(t::get).as(what + " get").isInstanceOf(CancellationException.class);
        assertThatThrownBy(t::join).as(what + " join").isInstanceOf(TaskCancelledException.class);
        assertThat(t.toCompletableFuture().isCompletedExceptionally()).as(what + " cf").isTrue();
        assertThat(t.cancel()).as(what + " cancel() on a task that ended CANCELLED").isTrue();
        assertThat(t.state()).as(what + " state").isEqualTo(java.util.concurrent.Future.State.CANCELLED);
    }

    @Test
    void cancelledByUpstreamChain() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        SpawningTask<Integer> up = o.to(Integer.class).run(() -> {
            never.await();
            return 1;
        });
        SpawningTask<Integer> next = up.chain(x -> x + 1);
        up.cancel();
        cancelledAllViews(up, "up");
        cancelledAllViews(next, "chained");
    }

    @Test
    void cancelledByFailedDependency() {
        SpawningTask<Integer> dep = o.to(Integer.class).run(() -> {
            throw new IOException("x");
        });
        SpawningTask<Integer> after = o.to(Integer.class).after(dep).run(() -> 1);
        cancelledAllViews(after, "after");
    }

    @Test
    void cancelledWithParent() throws Exception {
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        CountDownLatch made = new CountDownLatch(1);
        SpawningTask<Integer> parent = o.to(Integer.class).run(() -> {
            child.set(TaskContext.current().orElseThrow().runChild(() -> {
                Thread.sleep(60_000);
                return 1;
            }));
            made.countDown();
            Thread.sleep(60_000);
            return 1;
        });
        made.await();
        parent.cancel();
        cancelledAllViews(parent, "parent");
        cancelledAllViews(child.get(), "child");
    }

    @Test
    void cancelledViaFuture() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        SpawningTask<Integer> t = o.to(Integer.class).run(() -> {
            never.await();
            return 1;
        });
        assertThat(t.toCompletableFuture().cancel(true)).isTrue();
        cancelledAllViews(t, "viaFuture");

    }

    @Test
    void futureCallbackSeesTerminalStatus() throws Exception {
        for (int i = 0; i < 200; i++) {
            SpawningTask<Integer> t = o.to(Integer.class).run(() -> 1);
            AtomicReference<String> seen = new AtomicReference<>();
            CompletableFuture<Void> cb = t.toCompletableFuture().thenRun(() -> seen.set(t.status() + " " + t.isDone()
                    + " " + t.info().status() + " " + o.find(t.id()).map(TaskInfo::status).orElse(null)));
            cb.get(10, TimeUnit.SECONDS);
            assertThat(seen.get()).isEqualTo("COMPLETED true COMPLETED COMPLETED");
        }
    }
}
