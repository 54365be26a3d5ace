package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import org.junit.jupiter.api.Test;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code spring.main.lazy-initialization=true}: every bean lazy, as SpringApplication makes them. */
class LazyInitializationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(context -> context.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    @Test
    void theOrchestratorIsGlobalAndAnnotatedMethodsRunAsTasksAndItShutsDownWithTheContext() {
        TaskOrchestrator[] seen = new TaskOrchestrator[1];
        runner.withBean(Lazily.class).run(context -> {
            assertThat(context).hasNotFailed();
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            seen[0] = orchestrator;
            assertThat(TaskOrchestrator.global()).as("made global at start-up, lazy or not").isSameAs(orchestrator);
            assertThat(context.getBean(Lazily.class).work()).isEqualTo("worked");
            assertThat(orchestrator.recent()).extracting(TaskInfo::name).containsExactly("lazy-work");
        });
        assertThat(seen[0].isAccepting()).as("shut down with the context").isFalse();
        assertThat(TaskOrchestrator.global()).isNotSameAs(seen[0]);
    }

    @Test
    void aBadAttributeOfALazyBeanStillStopsStartUp() {
        runner.withBean(BadlyTimed.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("BadlyTimed.work()")
                    .hasMessageContaining("timeout 'soon' is not a duration");
        });
    }

    static class Lazily {

        @AsyncTask(name = "lazy-work")
        public String work() {
            return "worked";
        }
    }

    static class BadlyTimed {

        @AsyncTask(timeout = "soon")
        public String work() {
            return "never";
        }
    }
}
