package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncLimitsEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
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
 * endpoints are available (exposed and not switched off).
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
    @ConditionalOnAvailableEndpoint
    AsyncLimitsEndpoint asyncLimitsEndpoint(TaskOrchestrator orchestrator, ObjectProvider<TaskCluster> cluster) {
        return new AsyncLimitsEndpoint(orchestrator, cluster.getIfUnique());
    }
}
