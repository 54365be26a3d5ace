package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextSnapshotFactory;
import io.sweetasync.TaskOrchestrator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Without Micrometer's context-propagation the MDC does not follow a task onto its thread: a new user's trial of the
 * starter found it out from empty log fields, with nothing said at start-up. An INFO line says so now, naming the
 * dependency; with it on the classpath nothing is said and the MDC follows.
 */
@ExtendWith(OutputCaptureExtension.class)
class ContextPropagationNoticeTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    void withoutContextPropagationStartUpSaysTheMdcDoesNotFollowTasks(CapturedOutput output) {
        runner.withClassLoader(new FilteredClassLoader(ContextSnapshotFactory.class)).run(context -> {
            assertThat(context).hasNotFailed();
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            MDC.put("request", "r-1");
            try {
                assertThat(orchestrator.to(String.class).await(() -> String.valueOf(MDC.get("request"))))
                        .as("not carried without it").isEqualTo("null");
            }
            finally {
                MDC.remove("request");
            }
            assertThat(output).contains("io.micrometer:context-propagation").contains("MDC");
        });
    }

    @Test
    void withContextPropagationNothingIsSaidAndTheMdcFollows(CapturedOutput output) {
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            MDC.put("request", "r-2");
            try {
                assertThat(orchestrator.to(String.class).await(() -> MDC.get("request"))).isEqualTo("r-2");
            }
            finally {
                MDC.remove("request");
            }
            assertThat(output).doesNotContain("io.micrometer:context-propagation");
        });
    }
}
