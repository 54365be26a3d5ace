package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.ReceivingStage;
import io.sweetasync.limit.LimiterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus names the alert rules and the Grafana dashboard query are the names a Prometheus scrape of the
 * meters has (checked here without a Prometheus server, which the sample app's test needs and skips without).
 */
class Review16ObsPrometheusNamesTests {

    @Test
    @Timeout(60)
    void everyNameTheRulesAndTheDashboardQueryIsScraped() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        prometheus.config().meterFilter(new MeterFilter() { // as the README's percentiles-histogram property
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return !id.getName().equals("sweet.async.tasks") ? config
                        : DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
            }
        });
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("pricing", LimiterConfig.defaults())
                .build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(prometheus);
            orchestrator.to(Integer.class).named("quote").group("pricing").await(() -> 1);
            orchestrator.to(Integer.class).named("quote").group("pricing").run(() -> {
                throw new IllegalStateException("x");
            }).result();
            ReceivingStage<Integer, Object, Object> pipeline = orchestrator.emits(Integer.class).named("import")
                    .sender(emitter -> emitter.emit(1)).receiver((event, collector) -> { });
            pipeline.run().join();
            String scrape = prometheus.scrape();
            Set<String> queried = new TreeSet<>();
            for (Path doc : new Path[] { Path.of("../docs/prometheus/sweet-async-rules.yml"),
                    Path.of("../docs/grafana/sweet-async.json") }) {
                Matcher names = Pattern.compile("sweet_async_[a-z_]+").matcher(Files.readString(doc));
                while (names.find()) {
                    queried.add(names.group());
                }
            }
            assertThat(queried).isNotEmpty();
            for (String name : queried) {
                assertThat(scrape).as("the scrape has %s", name).containsPattern("(?m)^" + name + "[{ ]");
            }
        }
    }
}
