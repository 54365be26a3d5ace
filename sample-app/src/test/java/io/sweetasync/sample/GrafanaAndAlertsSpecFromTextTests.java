package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SPEC section 8 read as text: the Grafana dashboard is "on the Prometheus meters" and the alert rules cover "a
 * saturated group, rising rejections, runaways, failure rate" on them. Every meter an alert rule, a panel or a
 * dashboard variable names is one the sample app exposes, every label they group or filter by is one of that
 * meter's, and every outcome they filter on is one a task can end with. (A rule on a misspelt meter or label
 * loads, is healthy and never fires; a panel query with {@code or 0 * ...} still returns data.) No Prometheus
 * needed: the names are checked against the app's own scrape.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:grafana-alerts-${random.uuid};DB_CLOSE_DELAY=-1")
class GrafanaAndAlertsSpecFromTextTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern METRIC = Pattern.compile("\\bsweet_async_[a-z0-9_]+\\b");
    /** {@code by (labels) (metric}, possibly through one function such as {@code rate(}. */
    private static final Pattern GROUPED = Pattern.compile("by \\(([^)]*)\\) \\((?:[a-z_]+\\()?(sweet_async_[a-z0-9_]+)");
    private static final Pattern SELECTOR = Pattern.compile("(sweet_async_[a-z0-9_]+)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    /** Labels Prometheus adds at scrape time. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    @LocalServerPort
    int port;

    @Test
    void everyAlertRuleNamesExposedMetersAndTheirLabels() throws Exception {
        String rules = Files.readString(ROOT.resolve("docs/prometheus/sweet-async-rules.yml"));
        List<String> alerts = Pattern.compile("- alert: (\\S+)").matcher(rules).results().map(m -> m.group(1)).toList();
        assertThat(alerts).as("saturated group, rising rejections, runaways, failure rate").hasSize(4);
        assertThat(String.join(" ", alerts).toLowerCase(Locale.ROOT))
                .contains("saturated").contains("rejection").contains("runaway").contains("failure");
        checkAgainstScrape("the alert rules", List.of(rules.substring(rules.indexOf("groups:"))));
    }

    @Test
    void everyGrafanaQueryAndVariableNamesExposedMetersAndTheirLabels() throws Exception {
        JsonNode dashboard = JsonMapper.builder().build()
                .readTree(Files.readString(ROOT.resolve("docs/grafana/sweet-async.json")));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asString());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asString() : query.asString();
            Matcher values = Pattern.compile("label_values\\((sweet_async_[a-z0-9_]+)(?:\\{[^}]*})?,\\s*([a-z_]+)\\)")
                    .matcher(text);
            if (values.find()) {
                // label_values(metric, label): the label must be one of the metric's
                queries.add("sum by (" + values.group(2) + ") (" + values.group(1) + ")");
            }
        }
        assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
        checkAgainstScrape("the Grafana dashboard", queries);
    }

    private void checkAgainstScrape(String what, List<String> expressions) throws Exception {
        // work of every kind first, so that meters registered on first use are there: an import (a pipeline and
        // the pricing group) and a report (children with a deadline)
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/imports"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/reports/customers/customer-042"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Set<String>> labels = scrape(http);
        Set<String> outcomes = new HashSet<>();
        for (TaskStatus status : TaskStatus.values()) {
            if (status.isTerminal()) {
                outcomes.add(status.name().toLowerCase(Locale.ROOT));
            }
        }
        for (String expression : expressions) {
            Set<String> metrics = new HashSet<>(METRIC.matcher(expression).results().map(java.util.regex.MatchResult::group).toList());
            assertThat(metrics).as("%s: meters in %s", what, expression).isNotEmpty();
            assertThat(labels.keySet()).as("%s: meters the app exposes, for %s", what, expression).containsAll(metrics);
            for (Groups grouped : GROUPED.matcher(expression).results().map(Groups::of).toList()) {
                for (String label : grouped.first().split(",")) {
                    label = label.strip();
                    if (!label.isEmpty() && !TARGET_LABELS.contains(label)) {
                        assertThat(labels.get(grouped.second())).as("%s: labels of %s, grouped by in %s", what,
                                grouped.second(), expression).contains(label);
                    }
                }
            }
            for (Groups selector : SELECTOR.matcher(expression).results().map(Groups::of).toList()) {
                for (Groups matcher : MATCHER.matcher(selector.second()).results().map(Groups::of).toList()) {
                    String label = matcher.first();
                    if (TARGET_LABELS.contains(label)) {
                        continue;
                    }
                    assertThat(labels.get(selector.first())).as("%s: labels of %s, filtered on in %s", what,
                            selector.first(), expression).contains(label);
                    if (label.equals("outcome")) {
                        assertThat(Arrays.asList(matcher.third().split("\\|"))).as("%s: outcomes in %s", what, expression)
                                .isSubsetOf(outcomes);
                    }
                }
            }
        }
    }

    /** The app's Prometheus scrape: each series name (histogram and summary parts included) with its label names. */
    private Map<String, Set<String>> scrape(HttpClient http) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Set<String>> labels = new HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (String row : text.lines().filter(row -> !row.startsWith("#")).toList()) {
            Matcher series = line.matcher(row);
            if (series.find()) {
                Set<String> names = labels.computeIfAbsent(series.group(1), any -> new HashSet<>());
                if (series.group(2) != null) {
                    label.matcher(series.group(2)).results().forEach(m -> names.add(m.group(1)));
                }
            }
        }
        return labels;
    }

    private record Groups(String first, String second, String third) {
        static Groups of(java.util.regex.MatchResult match) {
            return new Groups(match.group(1), match.group(2), match.groupCount() >= 3 ? match.group(3) : null);
        }
    }
}
