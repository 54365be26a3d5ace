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
class FallbackMatrixTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void dependentOfCancelledTaskDoesNotTakeFallback() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> dep = orch.to(String.class).named("dep").run(() -> { Thread.sleep(10_000); return "d"; });
        AtomicInteger fbCalls = new AtomicInteger();
        SpawningTask<String> t = orch.to(String.class).named("t").after(dep).fallback(e -> { fbCalls.incrementAndGet(); return "fb"; }).run(() -> "x");
        SpawningTask<String> ch = dep.chain(x -> x);
        dep.cancel();
        TaskResult<String> r = CompletableFuture.supplyAsync(t::result).get(5, TimeUnit.SECONDS);
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(r.isOk()).isFalse();
        assertThat(fbCalls.get()).isZero();
        assertThat(((TaskResult.Err<String>) r).error().getMessage()).contains("dep");
    }

    @Test
    void childCancelledByFailingParentDoesNotTakeFallback() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        AtomicInteger fbCalls = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<String> p = orch.to(String.class).named("p").run(() -> {
            child.set(TaskContext.current().orElseThrow().child(String.class).named("c").fallback(e -> { fbCalls.incrementAndGet(); return "fb"; })
                    .run(() -> { started.countDown(); Thread.sleep(10_000); return "c"; }));
            started.await();
            throw new IOException("parent fails");
        });
        p.result();
        TaskResult<String> r = child.get().result();
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(fbCalls.get()).isZero();
        assertThat(r.isOk()).isFalse();
    }

    @Test
    void childOfTimedOutParentWithFallback() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        // the deadline runs from submission: on a loaded machine it can pass before the body has made its child
        // (then there is no child to check), so such a run is repeated with a deadline twice as long
        for (Duration timeout = Duration.ofMillis(50); child.get() == null; timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
            AtomicReference<SpawningTask<String>> mine = new AtomicReference<>();
            SpawningTask<String> p = orch.to(String.class).named("p").timeout(timeout).fallback(e -> "pfb").run(() -> {
                mine.set(TaskContext.current().orElseThrow().child(String.class).named("c").fallback(e -> "cfb")
                        .run(() -> { Thread.sleep(10_000); return "c"; }));
                return mine.get().join();
            });
            assertThat(p.join()).isEqualTo("pfb");
            assertThat(p.status()).isEqualTo(TaskStatus.TIMED_OUT);
            child.set(mine.get());
        }
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(child.get().result().isOk()).isFalse();
    }

    @Test
    void fallbackThrowsAndReturnsNull() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<String> t = orch.to(String.class).named("t").fallback(e -> { throw new IllegalStateException("fb broke"); })
                .run(() -> { throw new IOException("orig"); });
        TaskResult<String> r = t.result();
        AsyncTaskException e = ((TaskResult.Err<String>) r).error();
        assertThat(e).isInstanceOf(TaskFailedException.class);
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(e.getSuppressed()).isNotEmpty();
        SpawningTask<String> n = orch.to(String.class).named("n").fallback(x -> null).run(() -> { throw new IOException("orig"); });
        assertThat(n.result()).isEqualTo(TaskResult.ok(null));
        assertThat(n.toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void rejectedTakesFallback() throws Exception {
        orch = TaskOrchestrator.builder().group("z", LimiterConfig.defaults().withLimits(1, 1, 1).withQueueCapacity(0)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<String> holder = orch.to(String.class).named("holder").group("z").run(() -> { holding.countDown(); release.await(); return "h"; });
        holding.await();
        SpawningTask<String> t = orch.to(String.class).named("t").group("z").fallback(e -> "fb").run(() -> "x");
        assertThat(t.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("fb");
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
        release.countDown();
        holder.join();
    }
}
