package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** End to end over HTTP: an import runs as a task tree that Actuator and Prometheus show. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:sample-${random.uuid};DB_CLOSE_DELAY=-1")
class SampleApplicationTests {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void anImportIsATaskTreeVisibleInActuatorAndPrometheusAndWritesEveryRow() throws Exception {
        HttpResponse<String> started = post("/api/imports");
        assertThat(started.statusCode()).isEqualTo(202);
        String id = extract(started.body(), "\"taskId\":\"([0-9-]+)\"");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> tree = get("/actuator/asynctasks/" + id);
            assertThat(tree.statusCode()).isEqualTo(200);
            assertThat(tree.body()).contains("\"name\":\"order-import.sender\"")
                    .contains("\"name\":\"order-import.receiver\"").contains("\"emitted\"");
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(get("/actuator/asynclimits").body()).contains("\"pricing\"").contains("\"ADAPTIVE\""));

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(get("/api/imports/" + id).body()).contains("\"status\":\"COMPLETED\""));
        String status = get("/api/imports/" + id).body();
        long received = Long.parseLong(extract(status, "\"received\":(\\d+)"));
        long errors = Long.parseLong(extract(status, "\"errors\":(\\d+)"));
        long written = Long.parseLong(extract(status, "\"rowsWritten\":(\\d+)"));
        assertThat(received).isEqualTo(3_000);
        assertThat(written).isEqualTo(received - errors).isGreaterThan(2_900);
        assertThat(jdbc.sql("select count(*) from priced_order where import_id = ?").param(io.sweetasync.TaskId.parse(id).value())
                .query(Long.class).single()).isEqualTo(written);

        String prometheus = get("/actuator/prometheus").body();
        assertThat(prometheus).contains("sweet_async_tasks_seconds_count{").contains("name=\"order-import\"")
                .contains("sweet_async_limit_tasks{group=\"pricing\"}").contains("sweet_async_stream_emitted_events_total");
    }

    @Test
    void aReportFansOutIntoChildTasks() throws Exception {
        post("/api/imports");
        HttpResponse<String> report = get("/api/reports/customers/customer-042");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("\"customer\":\"customer-042\"").contains("\"loyaltyScore\"");
        String recent = get("/actuator/asynctasks").body();
        assertThat(recent).contains("\"name\":\"customer-report\"").contains("\"name\":\"report-loyalty\"")
                .contains("\"name\":\"report-orders\"");
    }

    @Test
    void theHistoryIsFilteredAndPagedFromTheStore() throws Exception {
        for (String customer : new String[] { "customer-101", "customer-102", "customer-103" }) {
            assertThat(get("/api/reports/customers/" + customer).statusCode()).isEqualTo(200);
        }
        String all = "/actuator/asynctasks?name=customer-report&status=completed&since=PT1H&limit=1000";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(history(get(all).body()).size())
                .as("reports written to the store").isGreaterThanOrEqualTo(3));
        JsonNode body = JSON.readTree(get(all).body()).get("history");
        assertThat(body.get("source").asString()).isEqualTo("store");
        for (JsonNode task : body.get("tasks")) {
            assertThat(task.get("name").asString()).isEqualTo("customer-report");
            assertThat(task.get("status").asString()).isEqualTo("COMPLETED");
        }
        List<String> firstTwo = ids(history(get("/actuator/asynctasks?name=customer-report&status=COMPLETED&limit=2").body()));
        List<String> second = ids(history(get("/actuator/asynctasks?name=customer-report&status=COMPLETED&offset=1&limit=1")
                .body()));
        assertThat(firstTwo).hasSize(2);
        assertThat(second).containsExactly(firstTwo.get(1));
        assertThat(history(get("/actuator/asynctasks?status=COMPLETED&since=2999-01-01T00:00:00Z").body())).isEmpty();
        for (String bad : new String[] { "status=BOGUS", "limit=-1", "limit=1001", "offset=-1", "since=yesterday",
                "since=-PT1H" }) {
            assertThat(get("/actuator/asynctasks?" + bad).statusCode()).as(bad).isEqualTo(400);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static List<JsonNode> history(String body) {
        List<JsonNode> tasks = new ArrayList<>();
        JSON.readTree(body).get("history").get("tasks").forEach(tasks::add);
        return tasks;
    }

    private static List<String> ids(List<JsonNode> tasks) {
        return tasks.stream().map(task -> task.get("id").asString()).toList();
    }

    @Test
    void cancelIsReadOnlyByDefaultAndBadIdsAreRejected() throws Exception {
        HttpResponse<String> started = post("/api/imports");
        String id = extract(started.body(), "\"taskId\":\"([0-9-]+)\"");
        HttpResponse<String> cancel = http.send(HttpRequest.newBuilder(uri("/actuator/asynctasks/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).as("no write operation under read-only access").isEqualTo(405);
        assertThat(get("/api/imports/not-a-number").statusCode()).isEqualTo(400);
        assertThat(get("/api/imports/999999").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/health").body()).contains("\"sweetAsync\"");
    }

    private static String extract(String body, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(body);
        assertThat(matcher.find()).as("%s in %s", regex, body).isTrue();
        return matcher.group(1);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
