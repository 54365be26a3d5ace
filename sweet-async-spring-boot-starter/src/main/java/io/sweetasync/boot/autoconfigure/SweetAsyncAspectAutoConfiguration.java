package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.aop.AsyncTaskAdvisor;
import io.sweetasync.boot.aop.AsyncTaskAdvisorFirst;
import io.sweetasync.boot.aop.AsyncTaskAspect;
import org.aspectj.weaver.Advice;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code @AsyncTask} aspect and its advisor, when AspectJ is present (add
 * {@code spring-boot-starter-aspectj}); Boot's AOP auto-configuration turns it into proxies. {@code ${...}} placeholders in the annotation's attributes
 * resolve against the environment.
 */
@AutoConfiguration(after = { SweetAsyncAutoConfiguration.class, AopAutoConfiguration.class })
@ConditionalOnClass(Advice.class)
@ConditionalOnBean(TaskOrchestrator.class)
public final class SweetAsyncAspectAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AsyncTaskAspect asyncTaskAspect(TaskOrchestrator orchestrator, ConfigurableBeanFactory beanFactory,
            org.springframework.beans.factory.ObjectProvider<io.sweetasync.spi.DurableCodec> codec) {
        return new AsyncTaskAspect(orchestrator, new EmbeddedValueResolver(beanFactory), codec.getIfUnique());
    }

    /** Applies the aspect to {@code @AsyncTask} methods; it looks the aspect up at the first call. */
    @Bean
    @ConditionalOnMissingBean
    static AsyncTaskAdvisor asyncTaskAdvisor(org.springframework.beans.factory.ObjectProvider<AsyncTaskAspect> aspect) {
        return new AsyncTaskAdvisor(aspect::getObject);
    }

    /** Registers {@code @AsyncTask(durable = true)} methods as durable task handlers. */
    @Bean
    @ConditionalOnMissingBean
    io.sweetasync.boot.aop.DurableMethodRegistrar sweetAsyncDurableMethods(
            org.springframework.beans.factory.config.ConfigurableListableBeanFactory beans, AsyncTaskAspect aspect) {
        return new io.sweetasync.boot.aop.DurableMethodRegistrar(beans, aspect);
    }

    /** Keeps the aspect outside {@code @Retryable} and {@code @ConcurrencyLimit}, which put themselves first. */
    @Bean
    @ConditionalOnMissingBean
    static AsyncTaskAdvisorFirst sweetAsyncAdvisorFirst() {
        return new AsyncTaskAdvisorFirst();
    }
}
