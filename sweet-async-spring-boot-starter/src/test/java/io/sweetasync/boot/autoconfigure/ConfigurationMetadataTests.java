package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The IDE metadata the starter's jar carries: the properties, and value hints where the types give none. */
class ConfigurationMetadataTests {

    @Test
    void describesTheDashboardAndHintsRuntimeNamesAndMapKeys() throws Exception {
        String metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(metadata).contains("\"name\": \"sweet.async.dashboard.path\"")
                .contains("\"name\": \"sweet.async.dashboard.enabled\"")
                .contains("\"name\": \"sweet.async.default-runtime\",\n      \"values\"")
                .contains("\"value\": \"single\"")
                .contains("\"name\": \"sweet.async.groups.keys\"")
                .contains("\"name\": \"sweet.async.runtimes.keys\"")
                // the README's switch for the health indicator: without an entry an IDE marks it unknown
                .contains("\"name\": \"management.health.sweet-async.enabled\"")
                // javadoc tags are not rendered by IDEs, and a default the processor could not read shows none
                .doesNotContain("{@code").doesNotContain("{@link");
        assertThat(metadata).containsPattern("\"defaultValue\": 65536,\\s*\"name\": \"sweet.async.store.max-result-size\"|"
                + "\"name\": \"sweet.async.store.max-result-size\"[^}]*\"defaultValue\": 65536");
        assertThat(metadata).containsPattern("\"name\": \"sweet.async.cluster.members\"[^}]*\"defaultValue\": \\[\\s*\"127.0.0.1\"");
    }
}
