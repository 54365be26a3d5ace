package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.dashboard.DashboardPage;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The live dashboard at {@code sweet.async.dashboard.path} (default {@code /sweet-async}) in a Spring MVC
 * application with Actuator: a page that reads the {@code asynctasks} and {@code asynclimits} endpoints.
 * Switched off with {@code sweet.async.dashboard.enabled=false}; while {@code asynctasks} is not exposed
 * over the web the page answers 404 saying so.
 */
@AutoConfiguration(after = SweetAsyncEndpointsAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ RouterFunction.class, PathMappedEndpoints.class })
@ConditionalOnBean(TaskOrchestrator.class)
@ConditionalOnBooleanProperty(name = "sweet.async.dashboard.enabled", matchIfMissing = true)
public final class SweetAsyncDashboardAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DashboardPage sweetAsyncDashboardPage(SweetAsyncProperties properties,
            ObjectProvider<PathMappedEndpoints> endpoints) {
        String path = properties.getDashboard().getPath();
        if (path == null || !path.matches("(/[A-Za-z0-9._~-]+)+")) {
            throw new InvalidSweetAsyncPropertyException("sweet.async.dashboard.path", path,
                    "it must be a path of plain segments starting with '/', not '/' itself",
                    "use a path such as /sweet-async");
        }
        return new DashboardPage(path, endpoints::getIfAvailable);
    }

    @Bean
    @ConditionalOnMissingBean(name = "sweetAsyncDashboardRoutes")
    RouterFunction<ServerResponse> sweetAsyncDashboardRoutes(DashboardPage page) {
        return page.routes();
    }
}
