package io.sweetasync.boot.autoconfigure;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.observation.MicrometerContextPropagator;
import io.sweetasync.boot.observation.ObservationContextPropagator;
import io.sweetasync.boot.observation.TaskObservationConvention;
import io.sweetasync.spi.ContextPropagator;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskStore;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration of Sweet Async: a {@link TaskOrchestrator} built from {@code sweet.async.*}
 * properties, made the global orchestrator (so {@code AsyncTask.to(...)} uses it) while the context
 * runs, drained gracefully when it stops and closed with it. With Micrometer's context-propagation on
 * the classpath, MDC and other registered thread-locals follow tasks; with an {@code ObservationRegistry},
 * every task is a {@code sweet.async.task} observation under its parent's. Any {@link ContextPropagator}
 * bean is applied too, in {@code @Order}.
 *
 * <pre>{@code
 * @Service
 * class Reports {
 *     Report monthly(YearMonth month) {
 *         return AsyncTask.to(Report.class).named("monthly-report").await(() -> build(month));
 *     }
 * }
 * }</pre>
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@EnableConfigurationProperties(SweetAsyncProperties.class)
public final class SweetAsyncAutoConfiguration {

    /** Without AspectJ the {@code @AsyncTask} aspect is off: a warning names the annotated methods. */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass("org.aspectj.weaver.Advice")
    static class InertAnnotationConfiguration {

        @Bean
        @ConditionalOnMissingBean(search = SearchStrategy.CURRENT) // it names this context's methods only
        static InertAsyncTaskWarning sweetAsyncInertAnnotationWarning(
                ConfigurableListableBeanFactory beans) {
            return new InertAsyncTaskWarning(beans);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OrchestratorConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        TaskOrchestrator taskOrchestrator(SweetAsyncProperties properties,
                ObjectProvider<ContextPropagator> propagators,
                ObjectProvider<TaskDecorator> taskDecorators,
                Environment environment, ObjectProvider<TaskStore> store,
                ObjectProvider<DurableCodec> codec, ObjectProvider<DurableStartGate> gate,
                ObjectProvider<TaskCluster> cluster, ConfigurableListableBeanFactory beans) {
            UnknownPropertiesWarning.warn(environment);
            List<ContextPropagator> all = new ArrayList<>(propagators.orderedStream().toList());
            TaskDecorator decorator = taskDecorators.getIfUnique();
            if (decorator == null) {
                List<String> several = taskDecorators.stream().map(any -> any.getClass().getName()).toList();
                if (!several.isEmpty()) {
                    // It was dropped silently: an MDC or security decorator just stopped applying
                    org.apache.commons.logging.LogFactory.getLog(SweetAsyncAutoConfiguration.class).warn(several.size()
                            + " TaskDecorator beans and none of them @Primary: none wraps Sweet Async tasks "
                            + several + "; mark the one to apply @Primary, or compose them into one bean");
                }
            }
            if (decorator != null) {
                // Outside the task's own observation: a decorator that restores the creator's context (Spring's
                // ContextPropagatingTaskDecorator) put the creator's current observation back over the task's
                int observation = indexOfObservation(all);
                all.add(observation < 0 ? all.size() : observation, new TaskDecoratorPropagator(decorator));
            }
            String defaultRuntime = properties.getDefaultRuntime();
            if (defaultRuntime == null) {
                // Honour an application that explicitly turned virtual threads off.
                boolean virtualOff = "false".equalsIgnoreCase(environment.getProperty("spring.threads.virtual.enabled"));
                defaultRuntime = virtualOff ? "platform" : "virtual";
            }
            TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
            TaskStore taskStore = store.getIfUnique();
            if (taskStore != null) {
                builder.store(taskStore);
                OrchestratorFactory.store(properties.getStore(), builder);
            }
            else if (properties.getStore().isEnabled()) {
                IgnoredSwitchWarning.storeOff(beans);
            }
            codec.ifUnique(builder::durableCodec);
            gate.ifUnique(builder::durableStartGate);
            TaskCluster taskCluster = cluster.getIfUnique();
            if (taskCluster != null) {
                builder.cluster(taskCluster);
            }
            else if (properties.getCluster().isEnabled()) {
                IgnoredSwitchWarning.clusterOff(beans);
            }
            return OrchestratorFactory.create(properties, defaultRuntime, all, builder);
        }

        /** Where the task's observation opens among the propagators (the first one outermost); -1 without it. */
        private static int indexOfObservation(List<ContextPropagator> propagators) {
            if (!org.springframework.util.ClassUtils.isPresent("io.micrometer.observation.ObservationRegistry",
                    SweetAsyncAutoConfiguration.class.getClassLoader())) {
                return -1;
            }
            for (int i = 0; i < propagators.size(); i++) {
                if (propagators.get(i) instanceof ObservationContextPropagator) {
                    return i;
                }
            }
            return -1;
        }

        @Bean
        @ConditionalOnMissingBean
        OrchestratorLifecycle sweetAsyncOrchestratorLifecycle(TaskOrchestrator orchestrator,
                SweetAsyncProperties properties) {
            return new OrchestratorLifecycle(orchestrator, properties.getShutdown().getGrace());
        }
    }

    /**
     * Without Micrometer's context-propagation the MDC (and every other thread-local) stays on the creating thread:
     * an INFO line at start-up says so, naming the dependency, rather than leave users to find out from empty log
     * fields in their tasks.
     */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass("io.micrometer.context.ContextSnapshotFactory")
    @ConditionalOnClass(name = "org.slf4j.MDC")
    static class NoContextPropagationConfiguration {

        @Bean
        @ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
        static ContextPropagationNotice sweetAsyncContextPropagationNotice() {
            return new ContextPropagationNotice();
        }
    }

    /** See {@link NoContextPropagationConfiguration}. */
    static final class ContextPropagationNotice implements org.springframework.beans.factory.SmartInitializingSingleton {

        @Override
        public void afterSingletonsInstantiated() {
            org.apache.commons.logging.LogFactory.getLog(SweetAsyncAutoConfiguration.class).info("Tasks do not carry "
                    + "the MDC (nor other thread-locals) of the code that starts them: that needs Micrometer's "
                    + "context-propagation on the classpath; add io.micrometer:context-propagation (version from "
                    + "Spring Boot's BOM) if your logs or code read the MDC inside tasks");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ContextSnapshotFactory.class)
    static class ContextPropagationConfiguration {

        @Bean
        @Order(0)
        @ConditionalOnMissingBean
        MicrometerContextPropagator sweetAsyncContextPropagator() {
            if (org.springframework.util.ClassUtils.isPresent("org.slf4j.MDC", getClass().getClassLoader())) {
                ContextRegistry registry = ContextRegistry.getInstance();
                boolean mdcKnown = registry.getThreadLocalAccessors().stream()
                        .anyMatch(accessor -> Slf4jThreadLocalAccessor.KEY.equals(accessor.key()));
                if (!mdcKnown) {
                    registry.registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
                }
            }
            // clearMissing: a thread-local the creating thread did not have is cleared for the task (and put back
            // after), so what an earlier task left on a pool thread (an MDC key it never removed) does not reach it
            return new MicrometerContextPropagator(ContextSnapshotFactory.builder().clearMissing(true).build());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    static class ObservationConfiguration {

        @Bean
        @Order(100)
        @ConditionalOnMissingBean
        ObservationContextPropagator sweetAsyncObservationPropagator(ObjectProvider<ObservationRegistry> registry,
                ObjectProvider<TaskObservationConvention> convention) {
            // resolved once, on the first task: a bean lookup per task cost a fifth of an @AsyncTask call.
            // Without a convention bean, none: a GlobalObservationConvention on the registry is then used, else the
            // default (Micrometer's order; passing the default here hid the application's global conventions)
            return new ObservationContextPropagator(
                    SingletonSupplier.of(() -> registry.getIfAvailable(() -> ObservationRegistry.NOOP)),
                    convention.getIfAvailable());
        }
    }
}
