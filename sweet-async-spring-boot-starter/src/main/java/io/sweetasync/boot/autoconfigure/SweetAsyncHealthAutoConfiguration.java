package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.LimitersHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code sweetAsync} health indicator, when Spring Boot's health support is present. */
@AutoConfiguration(after = SweetAsyncAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TaskOrchestrator.class)
@ConditionalOnEnabledHealthIndicator("sweetasync") // canonical: sweetAsync, sweet-async and MANAGEMENT_HEALTH_SWEETASYNC_ENABLED all match it
public final class SweetAsyncHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "sweetAsyncHealthIndicator")
    LimitersHealthIndicator sweetAsyncHealthIndicator(TaskOrchestrator orchestrator) {
        return new LimitersHealthIndicator(orchestrator);
    }
}
