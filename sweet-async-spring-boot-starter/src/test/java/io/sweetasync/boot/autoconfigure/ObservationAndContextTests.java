package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.observation.TaskObservationContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

class ObservationAndContextTests {

    private final List<TaskObservationContext> stopped = new CopyOnWriteArrayList<>();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    void mdcIsVisibleInEveryAttemptOfARetriedTaskAndInItsChild() {
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            List<String> seen = new CopyOnWriteArrayList<>();
            MDC.put("requestId", "r-42");
            try {
                String result = orchestrator.to(String.class).runtime("platform")
                        .retry(RetryPolicy.fixed(1, Duration.ZERO))
                        .run(() -> {
                            seen.add("attempt " + MDC.get("requestId"));
                            seen.add(TaskContext.current().orElseThrow()
                                    .runChild(() -> "child " + MDC.get("requestId")).join());
                            if (TaskContext.current().orElseThrow().attempt() == 1) {
                                throw new IOException("first attempt fails");
                            }
                            return "done " + MDC.get("requestId");
                        }).join();
                assertThat(result).isEqualTo("done r-42");
            }
            finally {
                MDC.remove("requestId");
            }
            assertThat(seen).containsExactly("attempt r-42", "child r-42", "attempt r-42", "child r-42");
            assertThat(orchestrator.to(String.class).runtime("platform").await(() -> String.valueOf(MDC.get("requestId"))))
                    .as("a pool thread does not keep another task's MDC").isEqualTo("null");
        });
    }

    @Test
    @Timeout(60)
    void mdcABodyLeftOnAPoolThreadDoesNotReachTheNextTaskOfACallerWithoutMdc() {
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            MDC.clear(); // a caller that never had any MDC, as a scheduler's or a cleared request thread
            orchestrator.to(String.class).runtime("single").await(() -> {
                MDC.put("user", "alice"); // a body (or a library it calls) that does not clean up
                return "left behind";
            });
            assertThat(orchestrator.to(String.class).runtime("single").await(() -> String.valueOf(MDC.get("user"))))
                    .as("the next task on the same pool thread sees only its caller's MDC").isEqualTo("null");
            assertThat(MDC.get("user")).as("nor does the caller").isNull();
        });
    }

    @Test
    void everyTaskIsAnObservationUnderItsParentTasksObservation() {
        runner.withUserConfiguration(Observations.class).withBean(ObservationAndContextTests.class, () -> this)
                .run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    orchestrator.to(String.class).named("parent").await(() ->
                            TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> "c").join());
                    orchestrator.to(String.class).named("broken").run(() -> {
                        throw new IOException("x");
                    }).result();

                    assertThat(stopped).extracting(c -> c.getTask().name())
                            .containsExactlyInAnyOrder("child", "parent", "broken");
                    TaskObservationContext parent = find("parent");
                    TaskObservationContext child = find("child");
                    assertThat(child.getParentObservation()).isNotNull();
                    assertThat(child.getParentObservation().getContextView()).isSameAs(parent);
                    assertThat(parent.getParentObservation()).isNull();
                    assertThat(parent.getName()).isEqualTo("sweet.async.task");
                    assertThat(parent.getContextualName()).isEqualTo("parent");
                    assertThat(parent.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("completed");
                    assertThat(find("broken").getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("failed");
                    assertThat(find("broken").getError()).isInstanceOf(IOException.class).hasMessage("x");
                    assertThat(parent.getError()).isNull();
                });
    }

    /**
     * With Spring's {@link ContextPropagatingTaskDecorator} as the application's task decorator (as Spring
     * recommends for {@code @Async}), each task's own observation is still the current one in its body, so
     * spans, logs and tasks made there hang under it: the decorator, applied inside the task's observation,
     * put back the creator's current observation (the request's, the parent task's) over it.
     */
    @Test
    @Timeout(60)
    void withSpringsContextPropagatingTaskDecoratorATasksOwnObservationIsCurrentInItsBody() {
        runner.withUserConfiguration(Observations.class).withBean(ObservationAndContextTests.class, () -> this)
                .withBean(TaskDecorator.class, ContextPropagatingTaskDecorator::new)
                .run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    ObservationRegistry registry = context.getBean(ObservationRegistry.class);
                    Observation request = Observation.start("request", registry);
                    String seen;
                    try (Observation.Scope scope = request.openScope()) {
                        seen = orchestrator.to(String.class).named("parent").await(() -> current(registry) + " > "
                                + TaskContext.current().orElseThrow().child(String.class).named("child")
                                        .run(() -> current(registry) + " > " + TaskContext.current().orElseThrow()
                                                .child(String.class).named("grandchild").run(() -> current(registry))
                                                .join())
                                        .join());
                    }
                    request.stop();
                    assertThat(seen).isEqualTo("parent > child > grandchild");
                    assertThat(find("parent").getParentObservation().getContextView().getName()).isEqualTo("request");
                    assertThat(find("grandchild").getParentObservation().getContextView()).isSameAs(find("child"));
                });
    }

    private static String current(ObservationRegistry registry) {
        Observation current = registry.getCurrentObservation();
        return current == null ? "none" : current.getContextView() instanceof TaskObservationContext task
                ? task.getTask().name() : current.getContextView().getName();
    }

    private TaskObservationContext find(String name) {
        return stopped.stream().filter(c -> c.getTask().name().equals(name)).findFirst().orElseThrow();
    }

    @Configuration(proxyBeanMethods = false)
    static class Observations {

        @Bean
        ObservationRegistry observationRegistry(ObservationAndContextTests test) {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
                @Override
                public boolean supportsContext(Observation.Context context) {
                    return true;
                }

                @Override
                public void onStop(Observation.Context context) {
                    if (context instanceof TaskObservationContext task) {
                        test.stopped.add(task);
                    }
                }
            });
            return registry;
        }
    }
}
