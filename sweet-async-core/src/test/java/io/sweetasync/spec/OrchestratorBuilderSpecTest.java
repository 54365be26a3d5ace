package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.SpawningTask;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.5: "Any Duration a user passes (timeouts, delays, waits) is either rejected at configuration with a
 * message naming it or honoured"; SPEC 6: TaskId printed form short and parseable, increasing in creation order.
 */
class OrchestratorBuilderSpecTest {

    @Test
    void builderDurationsAreRejectedWhereTheyAreSetNamingThem() {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        assertThatThrownBy(() -> builder.storeLease(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeLease");
        assertThatThrownBy(() -> builder.storeLease(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeLease");
        assertThatThrownBy(() -> builder.storeFlushInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeFlushInterval");
        assertThatThrownBy(() -> builder.storeRetention(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeRetention");
        assertThatThrownBy(() -> builder.storeUnresolvedAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeUnresolvedAfter");
        assertThatThrownBy(() -> builder.storeUnresolvedAfter(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeUnresolvedAfter");
        assertThatThrownBy(() -> builder.storeUnresolvedAfter(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("storeUnresolvedAfter");
        assertThatThrownBy(() -> builder.storeMaxPending(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeMaxPending");
        assertThatThrownBy(() -> builder.maxResultSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResultSize");
        assertThatThrownBy(() -> builder.defaultTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
        assertThatThrownBy(() -> builder.historySize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("historySize");
        // the builder is still usable after a rejected value
        try (TaskOrchestrator orchestrator = builder.build()) {
            assertThat(orchestrator.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    /**
     * A built-in runtime may be replaced by one of its kind (a bigger platform pool); one of another kind under
     * a built-in name (platform threads called "virtual") silently moved every task that names no runtime onto
     * it. The starter refused it; the core builder took it.
     */
    @Test
    void aBuiltInRuntimeIsReplacedOnlyByOneOfItsKind() {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.platform("virtual", 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'virtual'").hasMessageContaining("VIRTUAL").hasMessageContaining("PLATFORM");
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.virtual("single")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'single'");
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.executor("platform", Runnable::run)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'platform'");
        try (TaskOrchestrator orchestrator = builder.runtime(TaskRuntime.platform("platform", 3)).build()) {
            assertThat(orchestrator.runtimes().get("platform").parallelism()).isEqualTo(3);
            assertThat(orchestrator.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    @Test
    void hugeDefaultTimeoutIsHonoured() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .defaultTimeout(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).build()) {
            assertThat(orchestrator.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    @Test
    void taskIdsIncreaseAndParseBack() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SpawningTask<String> a = orchestrator.to(String.class).run(() -> "a");
            SpawningTask<String> b = orchestrator.to(String.class).run(() -> "b");
            assertThat(a.id()).isLessThan(b.id());
            assertThat(TaskId.parse(a.id().toString())).isEqualTo(a.id());
            assertThat(a.id().toString()).hasSizeLessThanOrEqualTo(20);
            a.join();
            b.join();
        }
    }
}
