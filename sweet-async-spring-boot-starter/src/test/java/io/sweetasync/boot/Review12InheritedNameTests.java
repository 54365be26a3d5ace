package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An unnamed annotated method inherited from a base class by two beans' classes ran under the base class's name
 * ({@code Sync.run}) for both: their tasks, meters and dashboard rows merged into one name, as those of two beans
 * behind one interface did before they were named after the bean's class. Named after the bean's class
 * ({@code UserSync.run}, {@code OrderSync.run}), as the default name says.
 */
class Review12InheritedNameTests {

    public abstract static class Sync {
        @AsyncTask
        public String run() {
            return getClass().getSimpleName();
        }
    }

    public static class UserSync extends Sync {
    }

    public static class OrderSync extends Sync {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withBean(UserSync.class).withBean(OrderSync.class);

    @Test
    void anInheritedUnnamedMethodIsNamedAfterEachBeansClass() {
        runner.run(context -> {
            context.getBean(UserSync.class).run();
            context.getBean(OrderSync.class).run();
            assertThat(context.getBean(TaskOrchestrator.class).recent()).extracting(TaskInfo::name)
                    .containsExactlyInAnyOrder("UserSync.run", "OrderSync.run");
        });
    }
}
