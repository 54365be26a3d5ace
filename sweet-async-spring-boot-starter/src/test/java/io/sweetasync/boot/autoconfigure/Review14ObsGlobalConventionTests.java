package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.GlobalObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.observation.DefaultTaskObservationConvention;
import io.sweetasync.boot.observation.TaskObservationContext;
import io.sweetasync.boot.observation.TaskObservationConvention;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer's order of conventions: the instrumentation's custom one (here a {@link TaskObservationConvention}
 * bean) wins, else a {@link GlobalObservationConvention} registered on the registry that supports the context
 * (Spring Boot registers every such bean), else the default. The starter passed its default as the custom
 * convention whenever the application defined none, so a global convention for {@code sweet.async.task} (a
 * {@code tier} tag on every task's span and timer) was never used.
 */
class Review14ObsGlobalConventionTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    @Timeout(60)
    void aGlobalConventionOnTheRegistryNamesAndTagsTheTasksObservations() {
        runner.withUserConfiguration(GlobalConvention.class).run(context -> {
            context.getBean(TaskOrchestrator.class).to(String.class).named("quote").await(() -> "q");
            List<TaskObservationContext> stopped = context.getBean(GlobalConvention.class).stopped;
            assertThat(stopped).singleElement().satisfies(task -> {
                assertThat(task.getLowCardinalityKeyValue("tier")).as("the global convention's tag").isNotNull()
                        .extracting(keyValue -> keyValue.getValue()).isEqualTo("gold");
                assertThat(task.getLowCardinalityKeyValue("name").getValue()).isEqualTo("quote");
            });
        });
    }

    @Test
    @Timeout(60)
    void anApplicationsConventionBeanStillWinsOverAGlobalOne() {
        runner.withUserConfiguration(GlobalConvention.class)
                .withBean(TaskObservationConvention.class, () -> new DefaultTaskObservationConvention() {
                    @Override
                    public KeyValues getLowCardinalityKeyValues(TaskObservationContext context) {
                        return super.getLowCardinalityKeyValues(context).and("tier", "bean");
                    }
                })
                .run(context -> {
                    context.getBean(TaskOrchestrator.class).to(String.class).named("quote").await(() -> "q");
                    assertThat(context.getBean(GlobalConvention.class).stopped).singleElement()
                            .satisfies(task -> assertThat(task.getLowCardinalityKeyValue("tier").getValue())
                                    .isEqualTo("bean"));
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class GlobalConvention {

        final List<TaskObservationContext> stopped = new CopyOnWriteArrayList<>();

        @Bean
        ObservationRegistry observationRegistry() {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationConvention(new Tiered()).observationHandler(
                    new ObservationHandler<>() {
                        @Override
                        public boolean supportsContext(Observation.Context context) {
                            return context instanceof TaskObservationContext;
                        }

                        @Override
                        public void onStop(Observation.Context context) {
                            stopped.add((TaskObservationContext) context);
                        }
                    });
            return registry;
        }
    }

    /** Spring Boot registers a bean of this type on the registry; done by hand here. */
    static final class Tiered extends DefaultTaskObservationConvention
            implements GlobalObservationConvention<TaskObservationContext> {

        @Override
        public KeyValues getLowCardinalityKeyValues(TaskObservationContext context) {
            return super.getLowCardinalityKeyValues(context).and("tier", "gold");
        }
    }
}
