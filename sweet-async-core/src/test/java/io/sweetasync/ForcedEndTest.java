package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/** Forced ends (runaways) around retries, chain, after, fallbacks and a parent that is not timed out (expected to hold). */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ForcedEndTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("g", LimiterConfig.defaults()
            .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(4, 1, 4)).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @RepeatedTest(3)
    void aForcedChildUnderALiveParentWithRetriesChainAfterAndFallback() throws Exception {
        for (String runtime : List.of("virtual", "platform")) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
            AtomicReference<List<TaskResult<?>>> joined = new AtomicReference<>();
            SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                // room for the retry to start before the deadline even on a loaded machine (at 150 ms it
                // sometimes did not: the child then timed out between attempts, with no runaway)
                child.set(context.child(String.class).group("g").timeout(Duration.ofSeconds(1))
                        .retry(RetryPolicy.fixed(3, Duration.ofMillis(1))).fallback(error -> "fb").run(() -> {
                            if (attempts.incrementAndGet() == 1) {
                                throw new IOException("first attempt fails");
                            }
                            Work.awaitIgnoringInterrupts(release);
                            return "late";
                        }));
                joined.set(context.joinChildren());
                return "parent";
            });
            assertThat(parent.join()).isEqualTo("parent");
            assertThat(parent.status()).isEqualTo(TaskStatus.COMPLETED);
            SpawningTask<String> c = child.get();
            assertThat(c.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(c.join()).isEqualTo("fb");
            assertThat(joined.get()).hasSize(1);
            assertThat(c.chain(v -> v + "!").join()).isEqualTo("fb!");
            assertThat(orchestrator.to(String.class).after(c).run(() -> "after").join()).isEqualTo("after");
            assertThat(orchestrator.runawayCount()).isEqualTo(1);
            assertThat(orchestrator.limiters().getFirst().inFlight()).isEqualTo(1);
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(orchestrator.runawayCount()).isZero();
                assertThat(orchestrator.limiters().getFirst().inFlight()).isZero();
                assertThat(orchestrator.liveCount()).isZero();
            });
            assertThat(attempts).hasValue(2);
            assertThat(c.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(parent.status()).isEqualTo(TaskStatus.COMPLETED);
        }
    }

    /** The parent's body ended and it waits for the stubborn child (the child is counted in the parent). */
    @RepeatedTest(3)
    void aForcedCountedChildReleasesItsParentOnce() throws Exception {
        CountDownLatch release = null;
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        AtomicBoolean grandchildStarted = new AtomicBoolean();
        // the child's deadline runs from its submission: on a loaded machine it can pass before its body and the
        // grandchild have started (then there are no two runaways), so such a run is repeated with a deadline
        // twice as long
        SpawningTask<String> parent = null;
        for (Duration timeout = Duration.ofMillis(100); !grandchildStarted.get(); timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the bodies could not reach").isLessThan(Duration.ofSeconds(30));
            Duration deadline = timeout;
            CountDownLatch mine = new CountDownLatch(1);
            parent = orchestrator.to(String.class).run(() -> {
                child.set(TaskContext.current().orElseThrow().child(String.class).timeout(deadline)
                        .run(() -> {
                            TaskContext.current().orElseThrow().runChild(() -> {
                                grandchildStarted.set(true);
                                Work.awaitIgnoringInterrupts(mine);
                                return "grandchild";
                            });
                            Work.awaitIgnoringInterrupts(mine);
                            return "late";
                        }));
                return "parent";
            });
            assertThat(parent.join()).isEqualTo("parent");
            assertThat(child.get().status()).isEqualTo(TaskStatus.TIMED_OUT);
            release = mine;
            if (!grandchildStarted.get()) { // a child body that started without its grandchild: let it go
                mine.countDown();
                await().alias("the runaways of a run that fell short ended").atMost(Duration.ofSeconds(30))
                        .until(() -> orchestrator.runawayCount() == 0);
            }
        }
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(orchestrator.runawayCount()).isEqualTo(2);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.runawayCount() == 0);
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(parent.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(orchestrator.recent()).allSatisfy(root -> assertThat(root.status()).isEqualTo(TaskStatus.COMPLETED));
    }
}
