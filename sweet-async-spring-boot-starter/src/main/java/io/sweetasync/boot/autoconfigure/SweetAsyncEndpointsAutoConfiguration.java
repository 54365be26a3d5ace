package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncLimitsEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpointWebExtension;
import io.sweetasync.boot.actuate.LimiterHistory;
import io.sweetasync.spi.TaskCluster;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code asynctasks} and {@code asynclimits} Actuator endpoints, when Actuator is present and the
 * endpoints are available (exposed and not switched off); over the web, cancelling an unknown or finished
 * task answers 404.
 */
@AutoConfiguration(after = SweetAsyncAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(TaskOrchestrator.class)
public final class SweetAsyncEndpointsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    AsyncTasksEndpoint asyncTasksEndpoint(TaskOrchestrator orchestrator, ObjectProvider<TaskCluster> cluster) {
        return new AsyncTasksEndpoint(orchestrator, cluster.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(AsyncTasksEndpoint.class)
    @ConditionalOnAvailableEndpoint(endpoint = AsyncTasksEndpoint.class)
    AsyncTasksEndpointWebExtension asyncTasksEndpointWebExtension(AsyncTasksEndpoint endpoint) {
        return new AsyncTasksEndpointWebExtension(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    AsyncLimitsEndpoint asyncLimitsEndpoint(TaskOrchestrator orchestrator, ObjectProvider<LimiterHistory> history,
            ObjectProvider<TaskCluster> cluster) {
        return new AsyncLimitsEndpoint(orchestrator, history.getIfAvailable(), cluster.getIfUnique());
    }

    /** The groups' samples of the last minutes for {@code asynclimits?history=true} (the dashboard's chart). */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = AsyncLimitsEndpoint.class)
    LimiterHistory sweetAsyncLimiterHistory(TaskOrchestrator orchestrator) {
        return new LimiterHistory(orchestrator);
    }
}
