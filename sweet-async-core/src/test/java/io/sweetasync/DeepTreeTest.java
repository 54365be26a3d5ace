package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trees as deep as users make them: nothing in finishing, releasing, cancelling, snapshots, history or
 * lookups recurses once per level (each of these overflowed the stack at a few thousand levels).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeepTreeTest {

    private static final int LEVELS = 100_000;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(2).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** Each body starts one child and returns: the whole chain finishes in a cascade up 100,000 levels. */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    void aChainOfAHundredThousandLevelsCompletes(String runtime) {
        AtomicReference<TaskId> deepest = new AtomicReference<>();
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("level").runtime(runtime)
                .run(() -> spawnChain(1, deepest));
        assertThat(root.join()).isEqualTo(1);
        assertThat(root.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(orchestrator.roots()).isEmpty();
        assertThat(orchestrator.liveCount()).isZero();
        TaskInfo recorded = orchestrator.recent().getFirst();
        assertThat(recorded.id()).isEqualTo(root.id());
        TaskInfo leaf = orchestrator.find(deepest.get()).orElseThrow();
        assertThat(leaf.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(leaf.path()).startsWith("level#" + root.id() + "/").endsWith("level#" + deepest.get())
                .contains("(" + (LEVELS - 10) + " more)");
        assertThat(leaf.toString()).contains(leaf.path());
        assertThat(orchestrator.shutdown(java.time.Duration.ofSeconds(1))).isTrue();
    }

    private static int spawnChain(int level, AtomicReference<TaskId> deepest) {
        if (level < LEVELS) {
            SpawningTask<Integer> child = TaskContext.current().orElseThrow().child(Integer.class).named("level")
                    .run(() -> spawnChain(level + 1, deepest));
            if (level + 1 == LEVELS) {
                deepest.set(child.id());
            }
        }
        return level;
    }

    /** Cancelling the root of a live 100,000-level chain cancels every level without overflowing. */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "single" })
    void cancellingTheRootOfADeepLiveChainCancelsEveryLevel(String runtime) throws Exception {
        java.util.concurrent.CountDownLatch bottomReached = new java.util.concurrent.CountDownLatch(1);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).runtime(runtime)
                .run(() -> blockingChain(1, bottomReached));
        assertThat(bottomReached.await(100, TimeUnit.SECONDS)).isTrue();
        assertThat(orchestrator.liveCount()).isEqualTo(LEVELS);
        assertThat(orchestrator.roots()).hasSize(1);
        assertThat(root.cancel()).isTrue();
        assertThat(root.result().isOk()).isFalse();
        assertThat(root.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(orchestrator.liveCount()).isZero();
    }

    /** Every level's body returns at once; only the deepest one blocks until it is interrupted. */
    private static int blockingChain(int level, java.util.concurrent.CountDownLatch bottomReached)
            throws InterruptedException {
        if (level == LEVELS) {
            bottomReached.countDown();
            Thread.sleep(Long.MAX_VALUE);
        }
        TaskContext.current().orElseThrow().runChild(() -> blockingChain(level + 1, bottomReached));
        return level;
    }
}
