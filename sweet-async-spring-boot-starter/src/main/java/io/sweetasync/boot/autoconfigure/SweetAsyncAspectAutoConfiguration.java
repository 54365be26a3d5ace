package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.aop.AsyncTaskAdvisor;
import io.sweetasync.boot.aop.AsyncTaskAdvisorFirst;
import io.sweetasync.boot.aop.AsyncTaskAspect;
import io.sweetasync.boot.aop.DurableMethodRegistrar;
import io.sweetasync.spi.DurableCodec;
import org.aspectj.weaver.Advice;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * The {@code @AsyncTask} aspect and its advisor, when AspectJ is present (add
 * {@code spring-boot-starter-aspectj}); Boot's AOP auto-configuration turns it into proxies (without a proxy
 * creator, {@code spring.aop.auto=false}, a warning at start-up names the annotated methods left as plain calls). {@code ${...}} placeholders in the annotation's attributes
 * resolve against the environment.
 */
@AutoConfiguration(after = { SweetAsyncAutoConfiguration.class, AopAutoConfiguration.class })
@ConditionalOnClass(Advice.class)
@ConditionalOnBean(TaskOrchestrator.class)
public final class SweetAsyncAspectAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AsyncTaskAspect asyncTaskAspect(TaskOrchestrator orchestrator, ConfigurableBeanFactory beanFactory,
            ObjectProvider<DurableCodec> codec) {
        return new AsyncTaskAspect(orchestrator, new EmbeddedValueResolver(beanFactory), codec.getIfUnique());
    }

    /**
     * Applies the aspect to {@code @AsyncTask} methods; it looks the aspect up at the first call. Infrastructure:
     * the auto-proxy creator makes advisors while post-processors are still being made, and Spring warned about
     * it at every start of an application with a post-processor of its own.
     */
    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static AsyncTaskAdvisor asyncTaskAdvisor(ObjectProvider<AsyncTaskAspect> aspect) {
        return new AsyncTaskAdvisor(aspect::getObject);
    }

    /**
     * Checks this context's annotated methods and registers its durable ones as task handlers. Per context: one in
     * a parent context sees only the parent's beans, so a child context (SpringApplicationBuilder's child, Spring
     * Cloud's bootstrap) has its own, where it used to back off for the parent's.
     */
    @Bean
    @ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
    DurableMethodRegistrar sweetAsyncDurableMethods(ConfigurableListableBeanFactory beans, AsyncTaskAspect aspect) {
        return new DurableMethodRegistrar(beans, aspect);
    }

    /**
     * Names the annotated methods of beans the advisor was not applied to ({@code spring.aop.auto=false}, or a bean
     * made before the proxy creator): they run as plain calls. Per context, as proxy creators are.
     */
    @Bean
    @ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
    static UnadvisedAsyncTaskWarning sweetAsyncUnadvisedAnnotationWarning(ConfigurableListableBeanFactory beans) {
        return new UnadvisedAsyncTaskWarning(beans);
    }

    /**
     * Keeps the aspect outside {@code @Retryable} and {@code @ConcurrencyLimit}, which put themselves first. Per
     * context, as post-processors are: a parent's does not process a child context's beans.
     */
    @Bean
    @ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static AsyncTaskAdvisorFirst sweetAsyncAdvisorFirst() {
        return new AsyncTaskAdvisorFirst();
    }
}
