package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * README, "Concurrency groups": "one used with nearly the name of a configured group (pricing used, pricng or Pricing
 * configured: case, separators or one character apart) gets a warning naming both, once per configured group."
 */
@Timeout(120)
class Review15ReadmeGroupNamesTest {

    @ParameterizedTest
    @CsvSource({"pricng, pricing", "Pricing, pricing", "pricing-eu, pricing_eu", "pricing, pricin"})
    void aGroupUsedWithNearlyAConfiguredNameIsWarnedOnce(String configured, String used) {
        Logger logger = Logger.getLogger("io.sweetasync.LimiterGroups");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group(configured, LimiterConfig.defaults()).build()) {
            orchestrator.to(String.class).group("unrelated-orders").await(() -> "x");
            assertThat(warnings).isEmpty();
            orchestrator.to(String.class).group(used).await(() -> "x");
            orchestrator.to(String.class).group(used).await(() -> "x");
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("'" + used + "'").contains("'" + configured + "'");
        } finally {
            logger.removeHandler(handler);
        }
    }
}
