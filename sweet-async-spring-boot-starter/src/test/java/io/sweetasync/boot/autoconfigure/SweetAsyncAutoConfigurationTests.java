package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTask;
import io.sweetasync.TaskOrchestrator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SweetAsyncAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    void providesAnOrchestratorThatIsGlobalWhileTheContextLives() {
        TaskOrchestrator[] seen = new TaskOrchestrator[1];
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            seen[0] = orchestrator;
            assertThat(TaskOrchestrator.global()).isSameAs(orchestrator);
            assertThat(AsyncTask.to(String.class).await(() -> "ran")).isEqualTo("ran");
            assertThat(orchestrator.recent()).hasSize(1);
        });
        assertThat(TaskOrchestrator.global()).isNotSameAs(seen[0]);
        assertThat(seen[0].isAccepting()).as("closed with the context").isFalse();
    }

    @Test
    void backsOffWhenTheUserDefinesAnOrchestrator() {
        runner.withUserConfiguration(UserOrchestrator.class).run(context -> {
            assertThat(context).hasSingleBean(TaskOrchestrator.class);
            assertThat(context.getBean(TaskOrchestrator.class)).isSameAs(context.getBean("myOrchestrator"));
            assertThat(TaskOrchestrator.global()).isSameAs(context.getBean(TaskOrchestrator.class));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserOrchestrator {

        @Bean(destroyMethod = "close")
        TaskOrchestrator myOrchestrator() {
            return TaskOrchestrator.builder().historySize(5).build();
        }
    }
}
