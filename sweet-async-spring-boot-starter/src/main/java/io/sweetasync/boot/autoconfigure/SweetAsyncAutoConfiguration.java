package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of Sweet Async: a {@link TaskOrchestrator} built from {@code sweet.async.*}
 * properties, made the global orchestrator (so {@code AsyncTask.to(...)} uses it) while the context
 * runs, drained gracefully when it stops and closed with it.
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
@AutoConfiguration
@EnableConfigurationProperties(SweetAsyncProperties.class)
public final class SweetAsyncAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class OrchestratorConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        TaskOrchestrator taskOrchestrator(SweetAsyncProperties properties) {
            return OrchestratorFactory.create(properties);
        }

        @Bean
        @ConditionalOnMissingBean
        OrchestratorLifecycle sweetAsyncOrchestratorLifecycle(TaskOrchestrator orchestrator,
                SweetAsyncProperties properties) {
            return new OrchestratorLifecycle(orchestrator, properties.getShutdown().getGrace());
        }
    }
}
