package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskContext;
import io.sweetasync.annotation.AsyncTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Review 15 of the {@code @AsyncTask} aspect: what the start-up warning about a final method tells the user. */
@ExtendWith(OutputCaptureExtension.class)
class Review15AopFinalMethodWarningTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    interface Locator {
        String where();
    }

    static class FinalLocator implements Locator {
        @Override
        @AsyncTask
        public final String where() {
            return TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    /**
     * The warning said a final method has no effect "unless a final one is called through an interface": under
     * Spring Boot's default class proxies a final method called through its interface runs on the caller's thread,
     * outside any task, all the same (only a JDK interface proxy intercepts it). It now says which proxy does, and
     * that the default does not.
     */
    @Test
    void theFinalMethodWarningDoesNotPromiseAnInterfaceCallRunsAsATaskUnderClassProxies(CapturedOutput output) {
        runner.withBean(FinalLocator.class).run(context -> {
            assertThat(context).hasNotFailed();
            Locator locator = context.getBean(Locator.class);
            assertThat(locator.where()).as("called through its interface, on Boot's default class proxy")
                    .isEqualTo("no task");
            assertThat(output).contains("FinalLocator.where()").contains("final method")
                    .doesNotContain("unless a final one is called through an interface")
                    .contains("spring.aop.proxy-target-class=false");
        });
        runner.withBean(FinalLocator.class).withPropertyValues("spring.aop.proxy-target-class=false").run(context -> {
            Locator locator = context.getBean(Locator.class);
            assertThat(locator.where()).as("called through a JDK interface proxy").isEqualTo("FinalLocator.where");
        });
    }
}
