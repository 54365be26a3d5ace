package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A body's group permit stays lent for the whole of a {@link TaskRuntime#managedBlock} even when a wait inside
 * it (another {@code managedBlock}, e.g. in a library it calls, or a {@code join()}: waits the engine manages
 * too) ends first. The inner
 * wait's end counted the permit again while the outer wait went on, so work of the group that the outer wait
 * needed queued behind it: with a limit of 1, until its {@code maxWait} rejected it.
 */
class NestedWaitPermitTest {

    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    @Timeout(60)
    void aWaitInsideAManagedBlockDoesNotTakeThePermitBackBeforeTheBlockEnds(String runtime) throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.platform("platform", 2))
                .runtime(TaskRuntime.single("single"))
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withMaxWait(Duration.ofSeconds(20)))
                .build()) {
            AtomicReference<SpawningTask<String>> second = new AtomicReference<>();
            CountDownLatch secondRan = new CountDownLatch(1);
            SpawningTask<String> first = orchestrator.to(String.class).runtime(runtime).group("g").run(() -> {
                TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                    @Override
                    public boolean block() throws InterruptedException {
                        TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() { // a wait inside this one
                            private boolean done;

                            @Override
                            public boolean block() {
                                done = true;
                                return true;
                            }

                            @Override
                            public boolean isReleasable() {
                                return done;
                            }
                        });
                        second.set(orchestrator.to(String.class).detached().group("g").run(() -> {
                            secondRan.countDown();
                            return "second";
                        }));
                        secondRan.await(); // needs the permit this body lent for the block
                        return true;
                    }

                    @Override
                    public boolean isReleasable() {
                        return secondRan.getCount() == 0;
                    }
                });
                return "first";
            });
            assertThat(first.result()).isEqualTo(TaskResult.ok("first"));
            assertThat(second.get().result()).isEqualTo(TaskResult.ok("second"));
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
        }
    }

    /** Nested lending of one permit counts it out once and back once: the limiter's books stay right. */
    @Test
    @Timeout(60)
    void nestedSuspendsOfOnePermitCountItOnce() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(2, 2, 2))
                .build()) {
            var limiter = orchestrator.limiter("g");
            var permit = limiter.tryAcquire().orElseThrow();
            permit.suspend();
            permit.suspend();
            assertThat(limiter.inFlight()).isZero();
            permit.resume();
            assertThat(limiter.inFlight()).as("in flight after the inner of two nested suspends ended").isZero();
            permit.resume();
            assertThat(limiter.inFlight()).isOne();
            permit.resume(); // unbalanced: no effect
            assertThat(limiter.inFlight()).isOne();
            permit.success();
            assertThat(limiter.inFlight()).isZero();
        }
    }
}
