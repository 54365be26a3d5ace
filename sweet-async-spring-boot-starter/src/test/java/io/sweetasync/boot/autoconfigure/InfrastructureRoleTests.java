package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter's advisor beans are infrastructure: an application with a post-processor of its own (Boot's
 * observation support has one) started with Spring's warning that 'asyncTaskAdvisor' "is not eligible for
 * getting processed by all BeanPostProcessors", in every sample-app start.
 */
@ExtendWith(OutputCaptureExtension.class)
class InfrastructureRoleTests {

    @Test
    void anApplicationWithItsOwnPostProcessorStartsWithoutAWarningAboutTheAdvisor(CapturedOutput output) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncAspectAutoConfiguration.class))
                .withUserConfiguration(OwnPostProcessor.class)
                .run(context -> assertThat(context).hasNotFailed().hasBean("asyncTaskAdvisor"));
        assertThat(output).doesNotContain("not eligible for getting processed by all BeanPostProcessors");
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPostProcessor {

        @Bean
        static BeanPostProcessor ownPostProcessor() {
            return new BeanPostProcessor() {
            };
        }
    }
}
