package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.actuate.web.ServletManagementContextAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * SPEC 4 promises of the starter, as a user who knows only the SPEC would check them (the interrupted caller
 * of a blocking {@code @AsyncTask} method: {@code AsyncTaskAspectTests}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StarterSpecConformanceTests {

    /**
     * SPEC 4: the {@code asynctasks} endpoint cancels "by id as a write operation (available only when the
     * endpoint's access allows writes)". Actuator's write operations are POSTs ({@code @WriteOperation}); the
     * cancel was only a {@code @DeleteOperation}, so a POST to the task's path answered 405.
     */
    @Test
    void cancelByIdIsAWriteOperationAvailableOnlyWhenAccessAllowsWrites() {
        WebApplicationContextRunner web = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                        HttpMessageConvertersAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
                        WebMvcAutoConfiguration.class, EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class, ManagementContextAutoConfiguration.class,
                        ServletManagementContextAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncEndpointsAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=asynctasks");
        web.withPropertyValues("management.endpoint.asynctasks.access=UNRESTRICTED").run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch started = new CountDownLatch(1);
            SpawningTask<Integer> sleeper = orchestrator.to(Integer.class).named("sleeper").run(() -> {
                started.countDown();
                Thread.sleep(60_000);
                return 1;
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            MockMvc mvc = MockMvcBuilders.webAppContextSetup(context.getSourceApplicationContext()).build();
            MockHttpServletResponse cancel = mvc.perform(post("/actuator/asynctasks/{id}", sleeper.id().toString()))
                    .andReturn().getResponse();
            assertThat(cancel.getStatus()).isEqualTo(200);
            assertThat(cancel.getContentAsString()).contains("\"cancelled\":true");
            assertThat(sleeper.result().isOk()).isFalse();
            assertThat(sleeper.status()).isEqualTo(TaskStatus.CANCELLED);
        });
        web.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
                release.await();
                return 1;
            });
            try {
                MockMvc mvc = MockMvcBuilders.webAppContextSetup(context.getSourceApplicationContext()).build();
                int status = mvc.perform(post("/actuator/asynctasks/{id}", task.id().toString())).andReturn()
                        .getResponse().getStatus();
                assertThat(status).as("read-only by default: no write operation").isIn(404, 405);
                assertThat(task.isDone()).isFalse();
            }
            finally {
                release.countDown();
            }
        });
    }

    /**
     * SPEC 4: "every bean @ConditionalOnMissingBean". Three infrastructure beans (the advisor ordering, the
     * warning without AspectJ, the embedded Hazelcast member) had none: an application could not replace them.
     */
    @Test
    void everyBeanOfEveryAutoConfigurationBacksOffForTheApplicationsOwn() throws Exception {
        List<String> missing = new ArrayList<>();
        try (InputStream imports = getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            for (String name : new String(imports.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).toList()) {
                ArrayDeque<Class<?>> classes = new ArrayDeque<>(List.of(Class.forName(name.strip())));
                while (!classes.isEmpty()) {
                    Class<?> type = classes.pop();
                    classes.addAll(List.of(type.getDeclaredClasses()));
                    for (Method method : type.getDeclaredMethods()) {
                        if (method.isAnnotationPresent(Bean.class)
                                && !method.isAnnotationPresent(ConditionalOnMissingBean.class)) {
                            missing.add(type.getSimpleName() + "." + method.getName());
                        }
                    }
                }
            }
        }
        assertThat(missing).as("@Bean methods without @ConditionalOnMissingBean").isEmpty();
    }
}
