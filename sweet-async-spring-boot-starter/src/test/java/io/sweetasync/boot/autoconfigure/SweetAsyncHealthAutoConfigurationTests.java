package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.LimitersHealthIndicator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SweetAsyncHealthAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class,
                    SweetAsyncHealthAutoConfiguration.class))
            .withPropertyValues("sweet.async.groups.one.algorithm=fixed", "sweet.async.groups.one.initial-limit=1",
                    "sweet.async.groups.one.max-limit=1");

    @Test
    void reportsSaturatedGroupsWhileStayingUp() throws Exception {
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            HealthIndicator health = context.getBean(LimitersHealthIndicator.class);
            assertThat(health.health().getDetails().get("saturatedGroups")).isEqualTo(List.of());
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> holder = orchestrator.to(Integer.class).group("one").run(() -> {
                holding.countDown();
                release.await();
                return 1;
            });
            holding.await();
            SpawningTask<Integer> waiting = orchestrator.to(Integer.class).group("one").run(() -> 2);
            Health saturated = health.health();
            assertThat(saturated.getStatus()).isEqualTo(Status.UP);
            assertThat(saturated.getDetails().get("saturatedGroups")).isEqualTo(List.of("one"));
            release.countDown();
            assertThat(holder.join() + waiting.join()).isEqualTo(3);
            orchestrator.shutdown(java.time.Duration.ZERO);
            assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        });
    }

    /**
     * Groups are made on first use and never removed (a group per tenant makes thousands): the details listed
     * every one, so every health check (load balancers poll it) answered megabytes. At most
     * {@link LimitersHealthIndicator#MAX_LISTED} are listed, a saturated one first even if its name sorts last,
     * with the whole counts beside them.
     */
    @Test
    @SuppressWarnings("unchecked")
    void listsAtMostAHundredGroupsTheSaturatedFirstWithTheWholeCounts() throws Exception {
        runner.withPropertyValues("sweet.async.groups.zzz.algorithm=fixed", "sweet.async.groups.zzz.initial-limit=1",
                "sweet.async.groups.zzz.max-limit=1").run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            HealthIndicator health = context.getBean(LimitersHealthIndicator.class);
            for (int i = 0; i < 1_500; i++) {
                orchestrator.limiter("tenant-" + i);
            }
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> holder = orchestrator.to(Integer.class).group("zzz").run(() -> {
                holding.countDown();
                release.await();
                return 1;
            });
            holding.await();
            SpawningTask<Integer> waiting = orchestrator.to(Integer.class).group("zzz").run(() -> 2);

            Map<String, Object> details = health.health().getDetails();

            int all = orchestrator.limiters().size();
            assertThat(all).isGreaterThanOrEqualTo(1_502);
            assertThat(details.get("groupCount")).isEqualTo(all);
            Map<String, Object> groups = (Map<String, Object>) details.get("groups");
            assertThat(groups).hasSize(LimitersHealthIndicator.MAX_LISTED);
            assertThat(groups.keySet().iterator().next()).isEqualTo("zzz");
            assertThat((Map<String, Object>) groups.get("zzz")).containsEntry("saturated", true);
            assertThat(details.get("saturatedGroups")).isEqualTo(List.of("zzz"));
            assertThat(details.get("saturatedCount")).isEqualTo(1);
            release.countDown();
            assertThat(holder.join() + waiting.join()).isEqualTo(3);
        });
    }

    @Test
    void canBeDisabledAndBacksOffWithoutHealthSupport() {
        runner.withPropertyValues("management.health.sweetAsync.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LimitersHealthIndicator.class));
        // Spring's canonical kebab-case and the environment variable's form too (they were ignored: only the
        // exact key management.health.sweetAsync.enabled switched it off)
        for (String property : new String[] { "management.health.sweet-async.enabled=false",
                "management.health.sweetasync.enabled=false" }) {
            runner.withPropertyValues(property)
                    .run(context -> assertThat(context).as(property).doesNotHaveBean(LimitersHealthIndicator.class));
        }
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new org.springframework.core.env.SystemEnvironmentPropertySource(
                        org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        java.util.Map.of("MANAGEMENT_HEALTH_SWEETASYNC_ENABLED", "false"))))
                .run(context -> assertThat(context).as("environment variable").doesNotHaveBean(
                        LimitersHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(LimitersHealthIndicator.class);
                });
    }
}
