package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.boot.dashboard.DashboardPage;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class DashboardAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(SweetAsyncAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class,
                    SweetAsyncDashboardAutoConfiguration.class));

    @Test
    void servedInAServletApplication() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(DashboardPage.class);
            assertThat(context).hasBean("sweetAsyncDashboardRoutes");
        });
    }

    @Test
    void absentWhenSwitchedOff() {
        runner.withPropertyValues("sweet.async.dashboard.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DashboardPage.class));
    }

    @Test
    void absentOutsideAWebApplication() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class,
                SweetAsyncDashboardAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardPage.class));
    }

    @Test
    void backsOffWithoutActuatorOnTheClasspath() {
        runner.withClassLoader(new FilteredClassLoader(PathMappedEndpoints.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardPage.class));
    }

    @Test
    void aBadPathStopsStartUpNamingTheProperty() {
        runner.withPropertyValues("sweet.async.dashboard.path=sweet async").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(InvalidSweetAsyncPropertyException.class)
                    .hasMessageContaining("'sweet async'").hasMessageContaining("sweet.async.dashboard.path");
        });
    }

    @Test
    void userPageWins() {
        runner.withUserConfiguration(UserPage.class).run(context -> {
            assertThat(context).hasSingleBean(DashboardPage.class);
            assertThat(context.getBean(DashboardPage.class)).isSameAs(context.getBean("myPage"));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserPage {

        @Bean
        DashboardPage myPage() {
            return new DashboardPage("/ops/tasks", () -> null);
        }
    }
}
