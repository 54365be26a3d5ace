package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard ({@code docs/grafana/sweet-async.json}) and the alert rules
 * ({@code docs/prometheus/sweet-async-rules.yml}) against a real Prometheus from Debian's package, started by
 * {@code .ci/prometheus} on 127.0.0.1 scraping this sample app, and stopped after. Skipped when Prometheus
 * is not installed, unless required ({@code SWEET_ASYNC_PROMETHEUS_TESTS=required}, set by
 * {@code .ci/prometheus install}, or {@code CI=true}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:prometheus-${random.uuid};DB_CLOSE_DELAY=-1")
class PrometheusRulesTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path RULES = ROOT.resolve("docs/prometheus/sweet-async-rules.yml");
    private static final Path DASHBOARD = ROOT.resolve("docs/grafana/sweet-async.json");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @BeforeEach
    void needsPrometheus() {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/prometheus")) && Files.isExecutable(Path.of("/usr/bin/promtool"));
        if (!installed) {
            String missing = "the Grafana and alert tests need Debian's prometheus package (/usr/bin/prometheus, "
                    + "/usr/bin/promtool): apt-get install -y prometheus, or eval \"$(.ci/prometheus install)\"";
            if ("required".equals(System.getenv("SWEET_ASYNC_PROMETHEUS_TESTS")) || "true".equals(System.getenv("CI"))) {
                fail(missing);
            }
            Assumptions.abort("skipped: " + missing);
        }
    }

    @Test
    void promtoolAcceptsTheRulesTheirUnitTestsAndOurMeters() throws Exception {
        assertThat(run("promtool", "check", "rules", RULES.toString())).contains("SUCCESS: 4 rules found");
        assertThat(run("promtool", "test", "rules", ROOT.resolve("docs/prometheus/sweet-async-rules-test.yml").toString()))
                .contains("SUCCESS");
        startImport();
        get("/api/reports/customers/customer-042");
        String ours = get("/actuator/prometheus").lines().filter(line -> line.contains("sweet_async"))
                .collect(Collectors.joining("\n", "", "\n"));
        Path metrics = Files.writeString(Files.createTempFile("sweet-async-metrics", ".txt"), ours);
        try {
            assertThat(run("sh", "-c", "promtool check metrics < " + metrics)).as("promtool's complaints").isEmpty();
        }
        finally {
            Files.delete(metrics);
        }
    }

    @Test
    void everyDashboardPanelQueryReturnsDataFromARealPrometheusWithTheRulesLoaded() throws Exception {
        // its own port and directory, so that two runs on one machine (a developer's and CI's) do not stop each
        // other's Prometheus or scrape each other's application
        Map<String, String> own = Map.of("SWEET_ASYNC_PROMETHEUS_PORT", String.valueOf(freePort()),
                "SWEET_ASYNC_PROMETHEUS_DIR", Files.createTempDirectory("sweet-async-prometheus").toString());
        String prometheus = run(own, ROOT.resolve(".ci/prometheus").toString(), "start", "127.0.0.1:" + port).strip();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> HTTP.send(
                    HttpRequest.newBuilder(URI.create(prometheus + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            String id = startImport();
            get("/api/reports/customers/customer-042");
            Awaitility.await().atMost(Duration.ofSeconds(120))
                    .until(() -> get("/api/imports/" + id).contains("\"status\":\"COMPLETED\""));

            JsonNode rules = json(prometheus + "/api/v1/rules").path("data").path("groups").get(0).path("rules");
            assertThat(rules).hasSize(4).allSatisfy(rule -> assertThat(rule.path("health").asString()).isEqualTo("ok"));

            Map<String, String> queries = panelQueries();
            assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
            Map<String, String> empty = new LinkedHashMap<>(queries);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                for (var query : List.copyOf(empty.entrySet())) {
                    JsonNode answer = json(prometheus + "/api/v1/query?query="
                            + URLEncoder.encode(query.getValue(), StandardCharsets.UTF_8));
                    assertThat(answer.path("status").asString()).as(query.getKey()).isEqualTo("success");
                    if (!answer.path("data").path("result").isEmpty()) {
                        empty.remove(query.getKey());
                    }
                }
                assertThat(empty).as("panel queries without data").isEmpty();
            });
        }
        finally {
            run(own, ROOT.resolve(".ci/prometheus").toString(), "stop");
        }
    }

    /** Every panel's query by "panel title / refId", with the dashboard's variables filled in: all jobs and groups. */
    private static Map<String, String> panelQueries() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.put(panel.path("title").asString() + " / " + target.path("refId").asString(),
                        target.path("expr").asString().replace("$__rate_interval", "1m").replace("$job", ".*")
                                .replace("$group", ".*"));
            }
        }
        return queries;
    }

    private String startImport() throws Exception {
        String answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/imports"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
        return JsonMapper.builder().build().readTree(answer).path("taskId").asString();
    }

    private String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static JsonNode json(String url) throws Exception {
        return JsonMapper.builder().build().readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Runs a command; its output (stdout and stderr), or a failure with it if it did not succeed. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String run(String... command) throws Exception {
        return run(Map.of(), command);
    }

    private static String run(Map<String, String> environment, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            fail(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }
}
