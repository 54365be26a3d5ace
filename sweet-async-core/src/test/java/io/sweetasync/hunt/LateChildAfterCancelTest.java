package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.*;

/** A body that swallows its cancel and then starts (and joins) a child: the child is stopped at once. */
@Timeout(value = 60)
class LateChildAfterCancelTest {

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "platform", "single"})
    void childStartedAfterCancelIsStopped(String runtime) throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            CountDownLatch inBody = new CountDownLatch(1);
            AtomicReference<String> childOutcome = new AtomicReference<>();
            AtomicBoolean childBodyRan = new AtomicBoolean();
            SpawningTask<String> p = o.to(String.class).named("p").runtime(runtime).run(() -> {
                inBody.countDown();
                try { Thread.sleep(30_000); } catch (InterruptedException swallowed) { }
                TaskContext ctx = TaskContext.current().orElseThrow();
                try {
                    SpawningTask<String> late = ctx.child(String.class).named("late").run(() -> { childBodyRan.set(true); Thread.sleep(10_000); return "late"; });
                    childOutcome.set(String.valueOf(late.result()));
                } catch (RuntimeException refused) {
                    childOutcome.set("refused " + refused);
                }
                return "p";
            });
            inBody.await();
            Thread.sleep(20);
            long t0 = System.nanoTime();
            assertThat(p.cancel()).isTrue();
            CompletableFuture.supplyAsync(p::result).get(20, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println(runtime + ": " + ms + " ms, child " + childOutcome.get() + " ran " + childBodyRan.get());
            // an unstopped child would hold the parent for its 10 s sleep: 8 s tells that apart from a loaded machine
            assertThat(ms).isLessThan(8000);
            assertThat(p.status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }
}
