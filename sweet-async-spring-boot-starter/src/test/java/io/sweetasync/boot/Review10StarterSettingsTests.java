package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncClusterAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncDashboardAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncEndpointsAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncStoreAutoConfiguration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.actuate.web.ServletManagementContextAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * Settings a user writes and what the starter does with them: switches that ask for a feature the
 * application cannot have, and the dashboard under a Spring MVC servlet path.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(120)
class Review10StarterSettingsTests {

    /**
     * README: {@code sweet.async.store.enabled} "keep task state in the application's DataSource (needs
     * sweet-async-jdbc)". With the module there but no single DataSource (none, or two without a primary), or without
     * the module, the store backs off (SPEC 4: a feature backs off when its library is absent) and tasks are kept in
     * memory only: a warning at start-up names the property and what is missing, where nothing said why.
     */
    @Test
    void storeEnabledWithoutADataSourceIsNotIgnoredSilently(CapturedOutput output) {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SweetAsyncStoreAutoConfiguration.class,
                        SweetAsyncAutoConfiguration.class))
                .withPropertyValues("sweet.async.store.enabled=true");
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TaskOrchestrator.class).storeStatistics()).as("no store").isEmpty();
            assertThat(output.getAll()).contains("sweet.async.store.enabled=true is ignored, tasks are kept in memory "
                    + "only").contains("there is no DataSource bean; configure one (spring.datasource.url)");
        });
        runner.withBean("first", DataSource.class, DriverManagerDataSource::new)
                .withBean("second", DataSource.class, DriverManagerDataSource::new).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(output.getAll()).contains("there are 2 DataSource beans (first, second) and none of "
                            + "them is @Primary");
                });
        runner.withClassLoader(new FilteredClassLoader("io.sweetasync.jdbc")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output.getAll()).contains("sweet-async-jdbc is not on the classpath; add "
                    + "io.sweetasync:sweet-async-jdbc");
        });
    }

    /**
     * README: "Cluster: with sweet.async.cluster.enabled=true and io.sweetasync:sweet-async-hazelcast on the
     * classpath, the orchestrator joins the cluster". A user who sets the switch and forgets Hazelcast (the
     * README's own BOM dance makes that easy) or the module gets a single member: the cluster backs off, and a
     * warning at start-up names the property and what is missing, where nothing said so.
     */
    @Test
    void clusterEnabledWithoutHazelcastIsNotIgnoredSilently(CapturedOutput output) {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SweetAsyncClusterAutoConfiguration.class,
                        SweetAsyncAutoConfiguration.class))
                .withPropertyValues("sweet.async.cluster.enabled=true");
        runner.withClassLoader(new FilteredClassLoader(HazelcastInstance.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output.getAll()).contains("sweet.async.cluster.enabled=true is ignored, this member runs alone")
                    .contains("Hazelcast is not on the classpath; add com.hazelcast:hazelcast");
        });
        runner.withClassLoader(new FilteredClassLoader("io.sweetasync.hazelcast")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output.getAll()).contains("sweet-async-hazelcast is not on the classpath; add "
                    + "io.sweetasync:sweet-async-hazelcast");
        });
    }

    /**
     * README: "@AsyncTask (with spring-boot-starter-aspectj on the classpath; without it the annotation does nothing,
     * and a warning at start-up names the annotated methods)". With AspectJ there but Spring Boot's
     * {@code spring.aop.auto=false} (no auto-proxy creator), the annotation does nothing just the same: calls run on
     * the caller's thread, without their timeout or retries. A warning names the methods and the setting, where
     * nothing said the methods are not tasks.
     */
    @Test
    void withAutoProxyingOffTheAnnotationIsEitherAppliedOrNamedInAWarning(CapturedOutput output) {
        aspectRunner().withPropertyValues("spring.aop.auto=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Slow.class).inATask()).as("no proxy, no task").isFalse();
            assertThat(output.getAll()).contains("@AsyncTask has no effect on Slow.inATask()")
                    .contains("spring.aop.auto=false");
        });
    }

    /** The same beans proxied as usual: no warning names them. */
    @Test
    void withAutoProxyingOnNoWarningNamesTheAnnotatedMethods(CapturedOutput output) {
        aspectRunner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Slow.class).inATask()).isTrue();
            assertThat(output.getAll()).doesNotContain("@AsyncTask has no effect");
        });
    }

    private static ApplicationContextRunner aspectRunner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncAspectAutoConfiguration.class))
                .withBean(Slow.class);
    }

    public static class Slow {

        @AsyncTask(timeout = "5s", retries = 2)
        public boolean inATask() {
            return TaskContext.current().isPresent();
        }
    }

    /**
     * README (The dashboard): "/sweet-async is a live page ... it reads the asynctasks and asynclimits endpoints
     * from the browser". With Spring MVC's {@code spring.mvc.servlet.path=/app} both the page and the endpoints live
     * under /app; the page must point its script, style and data at /app/..., not at the server's root.
     */
    @Test
    void theDashboardUnderAServletPathPointsAtItsAssetsAndTheEndpointsUnderThatPath() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                        HttpMessageConvertersAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
                        WebMvcAutoConfiguration.class, EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class, ManagementContextAutoConfiguration.class,
                        ServletManagementContextAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncEndpointsAutoConfiguration.class, SweetAsyncDashboardAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=asynctasks,asynclimits",
                        "spring.mvc.servlet.path=/app")
                .run(context -> {
                    MockMvc mvc = MockMvcBuilders.webAppContextSetup(context.getSourceApplicationContext()).build();
                    MockHttpServletResponse page = mvc.perform(get("/app/sweet-async").servletPath("/app"))
                            .andReturn().getResponse();
                    assertThat(page.getStatus()).isEqualTo(200);
                    String html = page.getContentAsString();
                    MockHttpServletResponse data = mvc.perform(get("/app/actuator/asynctasks").servletPath("/app"))
                            .andReturn().getResponse();
                    assertThat(data.getStatus()).as("the endpoint answers under the servlet path").isEqualTo(200);
                    assertThat(html).as("the page's data URL").contains("data-tasks=\"/app/actuator/asynctasks\"");
                    assertThat(html).as("the page's script").contains("src=\"/app/sweet-async/assets/dashboard.js\"");
                    assertThat(html).as("the page's style").contains("href=\"/app/sweet-async/assets/dashboard.css\"");
                    assertThat(mvc.perform(get("/app/sweet-async/assets/dashboard.js").servletPath("/app"))
                            .andReturn().getResponse().getStatus()).as("the script answers where the page points")
                            .isEqualTo(200);
                });
    }
}
