package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of Sweet Async: a {@link TaskOrchestrator} bean with the built-in runtimes,
 * installed as the global orchestrator (so {@code AsyncTask.to(...)} uses it) while the context lives
 * and closed with the context.
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
public final class SweetAsyncAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class OrchestratorConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        TaskOrchestrator taskOrchestrator() {
            return TaskOrchestrator.builder().build();
        }

        @Bean
        @ConditionalOnMissingBean
        GlobalOrchestratorInstaller sweetAsyncGlobalOrchestratorInstaller(TaskOrchestrator orchestrator) {
            return new GlobalOrchestratorInstaller(orchestrator);
        }
    }

    /**
     * Makes the context's orchestrator the global one on start-up and restores the previous one when
     * the context closes.
     */
    public static final class GlobalOrchestratorInstaller implements InitializingBean, DisposableBean {

        private final TaskOrchestrator orchestrator;
        private TaskOrchestrator previous;

        GlobalOrchestratorInstaller(TaskOrchestrator orchestrator) {
            this.orchestrator = orchestrator;
        }

        @Override
        public void afterPropertiesSet() {
            previous = TaskOrchestrator.setGlobal(orchestrator);
        }

        @Override
        public void destroy() {
            TaskOrchestrator.setGlobal(previous == orchestrator ? null : previous);
        }
    }
}
