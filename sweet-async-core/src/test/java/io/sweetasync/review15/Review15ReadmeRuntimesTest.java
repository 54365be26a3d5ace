package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Runtimes": one runtime per name, and waiting on a single runtime. */
@Timeout(120)
class Review15ReadmeRuntimesTest {

    // "each name once per builder: a second runtime of a name is refused, naming the first; a built-in name may be
    // taken once, by a runtime of its kind"
    @Test
    void aNameIsTakenOnceAndABuiltInNameOnlyByItsKind() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            TaskRuntime first = TaskRuntime.platform("cpu", 2);
            TaskOrchestrator.Builder builder = TaskOrchestrator.builder().runtime(first);
            assertThatThrownBy(() -> builder.runtime(TaskRuntime.platform("cpu", 4)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu")
                    .hasMessageContaining(first.toString());
            builder.runtime(TaskRuntime.platform("platform", 3));
            assertThatThrownBy(() -> builder.runtime(TaskRuntime.platform("platform", 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("platform");
            assertThatThrownBy(() -> builder.runtime(TaskRuntime.executor("virtual", pool)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("virtual");
            try (TaskOrchestrator orchestrator = builder.build()) {
                assertThat(orchestrator.to(String.class).runtime("platform")
                        .await(() -> Thread.currentThread().isVirtual() ? "virtual" : "platform")).isEqualTo("platform");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // "Waiting never deadlocks a platform or single runtime. ... gives its slot to a spare thread for the wait"
    @Test
    void aSingleRuntimeBodyMayWaitForAnotherTaskOfThatRuntime() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            String value = orchestrator.to(String.class).named("outer").runtime("single").await(() -> {
                SpawningTask<String> other = orchestrator.to(String.class).named("other").runtime("single")
                        .detached().run(() -> "inner");
                return other.join() + "+outer";
            });
            assertThat(value).isEqualTo("inner+outer");
        }
    }
    // "platform: pool of platform threads (one per core)", "single: one platform thread", "Spares are platform
    // threads up to 256 per runtime"
    @Test
    void theBuiltInRuntimesHaveTheSizesTheTableSays() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            io.sweetasync.RuntimeSnapshot platform = orchestrator.runtimes().get("platform").snapshot();
            io.sweetasync.RuntimeSnapshot single = orchestrator.runtimes().get("single").snapshot();
            assertThat(platform.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(platform.maxSpareThreads()).isEqualTo(256);
            assertThat(single.parallelism()).isEqualTo(1);
            assertThat(orchestrator.runtimes().get("virtual").kind()).isEqualTo(TaskRuntime.Kind.VIRTUAL);
            assertThat(orchestrator.to(String.class).await(() -> Thread.currentThread().isVirtual() ? "v" : "p"))
                    .isEqualTo("v");
        }
    }
}
