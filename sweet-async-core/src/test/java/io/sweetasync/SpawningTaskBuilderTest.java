package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpawningTaskBuilderTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void configurationMethodsLeaveTheReceiverUnchanged() {
        SpawningTaskBuilder<String> base = orchestrator.to(String.class).named("base");
        SpawningTaskBuilder<String> configured = base.named("other").priority(TaskPriority.HIGH).runtime("single")
                .group("g").tag("k", "v").timeout(Duration.ofMinutes(1));
        TaskInfo fromBase = base.run(() -> "a").info();
        assertThat(fromBase.name()).isEqualTo("base");
        assertThat(fromBase.priority()).isEqualTo(TaskPriority.NORMAL);
        assertThat(fromBase.runtime()).isEqualTo("virtual");
        assertThat(fromBase.group()).isNull();
        assertThat(fromBase.tags()).isEmpty();

        TaskInfo fromConfigured = configured.run(() -> "b").info();
        assertThat(fromConfigured.name()).isEqualTo("other");
        assertThat(fromConfigured.priority()).isEqualTo(TaskPriority.HIGH);
        assertThat(fromConfigured.runtime()).isEqualTo("single");
        assertThat(fromConfigured.group()).isEqualTo("g");
        assertThat(fromConfigured.tags()).containsEntry("k", "v");
    }

    @Test
    void aTemplateRunsManyIndependentTasks() {
        SpawningTaskBuilder<Integer> template = orchestrator.to(Integer.class).named("square");
        SpawningTask<Integer> a = template.run(() -> 4);
        SpawningTask<Integer> b = template.run(() -> 9);
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(a.join() + b.join()).isEqualTo(13);
    }

    @Test
    void nothingRunsUntilATerminalMethod() {
        orchestrator.to(Integer.class).named("lazy").timeout(Duration.ofSeconds(1));
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(orchestrator.recent()).isEmpty();
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        assertThatThrownBy(() -> builder.runtime("gpu"))
                .hasMessage("unknown runtime 'gpu'; registered runtimes: platform, single, virtual");
        assertThatThrownBy(() -> builder.timeout(Duration.ZERO)).hasMessage("timeout must be positive, was PT0S");
        assertThatThrownBy(() -> builder.named("a/b")).hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> builder.group(" ")).hasMessageContaining("group");
        // " pricing " made a second group with the default limits beside the configured "pricing"
        assertThatThrownBy(() -> builder.group(" pricing ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("' pricing '").hasMessageContaining("white space");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).group("pricing\t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("white space");
        assertThatThrownBy(() -> TaskOrchestrator.builder().group("pricing ", LimiterConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pricing '");
        try (TaskOrchestrator other = TaskOrchestrator.builder().build()) {
            SpawningTask<String> foreign = other.to(String.class).run(() -> "x");
            assertThatThrownBy(() -> builder.after(foreign)).hasMessageContaining("another orchestrator");
        }
    }
}
