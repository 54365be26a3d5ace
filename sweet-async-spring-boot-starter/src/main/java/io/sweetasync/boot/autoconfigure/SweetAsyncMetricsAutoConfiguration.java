package io.sweetasync.boot.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.micrometer.SweetAsyncMetrics;
import io.sweetasync.boot.micrometer.TaskObservationDescriptions;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Sweet Async's Micrometer meters, when Micrometer is present. */
@AutoConfiguration(after = SweetAsyncAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(TaskOrchestrator.class)
public final class SweetAsyncMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SweetAsyncMetrics sweetAsyncMetrics(TaskOrchestrator orchestrator) {
        return new SweetAsyncMetrics(orchestrator);
    }

    @Bean
    @ConditionalOnMissingBean
    TaskObservationDescriptions taskObservationDescriptions() {
        return new TaskObservationDescriptions();
    }
}
