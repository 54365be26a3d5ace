package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import org.aspectj.weaver.Advice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A child context under one that has the starter (SpringApplicationBuilder's {@code child}, Spring Cloud's
 * bootstrap): its beans use the parent's orchestrator and aspect, and their attributes are checked as the
 * parent's are.
 */
@ExtendWith(OutputCaptureExtension.class)
class ParentChildContextTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    @Test
    void aChildContextsAnnotatedMethodsRunAsTasksOfTheParentsOrchestrator() {
        runner.run(parent -> runner.withParent(parent).withBean(ChildJobs.class).run(child -> {
            assertThat(child).hasNotFailed();
            assertThat(child.getBean(ChildJobs.class).work()).isEqualTo("worked");
            assertThat(parent.getBean(TaskOrchestrator.class).recent()).extracting(TaskInfo::name)
                    .contains("child-work");
        }));
    }

    @Test
    void aBadAttributeInAChildContextStopsItsStartUp() {
        runner.run(parent -> runner.withParent(parent).withBean(BadChildJobs.class).run(child -> {
            assertThat(child).hasFailed();
            assertThat(child.getStartupFailure()).hasMessageContaining("BadChildJobs.work()")
                    .hasMessageContaining("timeout 'soon' is not a duration");
        }));
    }

    /** Spring's retries of a child context's bean run inside its one task, as in a context of its own. */
    @Test
    void springRetriesOfAChildContextsAsyncTaskHappenInsideOneTask() {
        runner.run(parent -> runner.withParent(parent).withUserConfiguration(AsyncTaskOrderTests.RetryConfig.class)
                .run(child -> {
                    AsyncTaskOrderTests.Flaky flaky = child.getBean(AsyncTaskOrderTests.Flaky.class);
                    assertThat(flaky.call().join()).isEqualTo("ok after 3 calls");
                    assertThat(flaky.tasks()).as("every call ran in the same task").hasSize(1)
                            .noneMatch("no task"::equals);
                }));
    }

    /** Without AspectJ, the warning names a child context's inert methods too. */
    @Test
    void withoutAspectjTheWarningNamesAChildContextsMethods(CapturedOutput output) {
        ApplicationContextRunner inert = runner.withClassLoader(new FilteredClassLoader(Advice.class));
        inert.run(parent -> inert.withParent(parent).withBean(ChildJobs.class).run(child -> {
            assertThat(child).hasNotFailed();
            assertThat(output).contains("@AsyncTask has no effect on").contains("ChildJobs.work");
        }));
    }

    static class ChildJobs {

        @AsyncTask(name = "child-work")
        public String work() {
            return "worked";
        }
    }

    static class BadChildJobs {

        @AsyncTask(timeout = "soon")
        public String work() {
            return "never";
        }
    }
}
