package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ConfigurableApplicationContext.pause()} stops the context's pauseable lifecycle beans for a while, and
 * {@code restart()} starts them again (Spring's CRaC checkpoint and restore do the same). The orchestrator's
 * shutdown is final, so its lifecycle is not pauseable: a pause shut the orchestrator down for good (every task
 * rejected from then on) and the restart failed ("cannot start again").
 */
class OrchestratorPauseTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    void aPausedAndRestartedContextKeepsItsOrchestratorRunning() {
        TaskOrchestrator[] seen = new TaskOrchestrator[1];
        runner.run(context -> {
            ConfigurableApplicationContext source = context.getSourceApplicationContext();
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            seen[0] = orchestrator;
            source.pause();
            assertThat(orchestrator.isAccepting()).as("accepting while the context is paused").isTrue();
            assertThat(orchestrator.to(String.class).await(() -> "paused")).isEqualTo("paused");
            source.restart();
            assertThat(orchestrator.to(String.class).await(() -> "restarted")).isEqualTo("restarted");
            assertThat(TaskOrchestrator.global()).isSameAs(orchestrator);
        });
        assertThat(seen[0].isAccepting()).as("shut down when the context closed").isFalse();
    }
}
