package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spare-thread retirement on a platform runtime: platform threads stay, virtual spares go first (each test waits out
 * the keep-alive, shortened to 1 s: which thread may retire is {@code PoolCounts.mayRetire}'s, however long it idled).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PlatformSparesTest {

    static ForkJoinPool.ManagedBlocker on(CountDownLatch latch) {
        return new ForkJoinPool.ManagedBlocker() {
            @Override
            public boolean block() throws InterruptedException {
                latch.await();
                return true;
            }

            @Override
            public boolean isReleasable() {
                return latch.getCount() == 0;
            }
        };
    }

    /**
     * PLATFORM means platform threads ("for CPU-bound work"; measured CPU/allocation exist only there).
     * With maxSpareThreads 0 a wait is covered by a virtual spare; when the core platform thread then
     * idles first, it is the one that retires, and from then on every body of this PLATFORM runtime runs
     * on the virtual spare (which never retires: it is now needed for I).
     */
    @Test
    void aPlatformRuntimeKeepsItsPlatformThreadsAfterSparesRetire() throws Exception {
        TaskRuntime runtime = TaskRuntime.platform("p", 1, 0);
        ((PooledRuntime) runtime).keepAliveNanos = TimeUnit.SECONDS.toNanos(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(runtime).build()) {
            TaskRuntime pool = orchestrator.runtimes().get("p");
            CountDownLatch holdA = new CountDownLatch(1);
            CountDownLatch holdB = new CountDownLatch(1);
            CountDownLatch bRunning = new CountDownLatch(1);
            SpawningTask<String> a = orchestrator.to(String.class).runtime("p").run(() -> {
                TaskRuntime.managedBlock(on(holdA));
                return "a";
            });
            await().until(() -> pool.snapshot().blocked() == 1);
            AtomicReference<Boolean> bVirtual = new AtomicReference<>();
            SpawningTask<String> b = orchestrator.to(String.class).runtime("p").run(() -> {
                bVirtual.set(Thread.currentThread().isVirtual());
                bRunning.countDown();
                holdB.await(); // CPU-ish work the runtime does not see as a wait
                return "b";
            });
            assertThat(bRunning.await(30, TimeUnit.SECONDS)).isTrue();
            holdA.countDown();
            a.join(); // the platform thread goes idle first
            holdB.countDown();
            b.join();
            assertThat(bVirtual.get()).as("the spare that covered A's wait").isTrue();
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> pool.snapshot().threads() == 1);
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            orchestrator.to(String.class).runtime("p").await(() -> {
                ranOn.set(Thread.currentThread());
                return "cpu work";
            });
            assertThat(ranOn.get().isVirtual()).as("PLATFORM runtime body ran on %s", ranOn.get()).isFalse();
        }
    }
}
