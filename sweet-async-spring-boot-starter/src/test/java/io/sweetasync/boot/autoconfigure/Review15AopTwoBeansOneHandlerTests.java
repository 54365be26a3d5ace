package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Review 15 of the {@code @AsyncTask} aspect: one placed method on two beans of one class. */
class Review15AopTwoBeansOneHandlerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    static class Resizer {
        @AsyncTask(placement = Placement.ANYWHERE)
        public String resize(String image) {
            return image + " resized";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoResizers {
        @Bean
        Resizer small() {
            return new Resizer();
        }

        @Bean
        Resizer large() {
            return new Resizer();
        }
    }

    /**
     * Two beans of one class with a placed (or durable) method stop start-up, since one handler runs the method's
     * placed calls; the message told the user to give each its own {@code @AsyncTask(name = "...")}, which one method's
     * one annotation cannot do. It now says what can be done.
     */
    @Test
    void twoBeansOfOneClassWithAPlacedMethodStopStartUpWithAFixThatCanBeMade() {
        runner.withUserConfiguration(TwoResizers.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("Resizer.resize(java.lang.String)")
                    .hasMessageContaining("two beans").hasMessageNotContaining("give each its own");
        });
    }
}
