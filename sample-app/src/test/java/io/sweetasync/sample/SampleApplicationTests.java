package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void startsAPriceCheckAndShowsItsTreeUntilItCompletes() throws Exception {
        HttpResponse<String> started = send(HttpRequest.newBuilder(uri("/api/price-checks?items=12"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(started.statusCode()).isEqualTo(202);
        Matcher id = Pattern.compile("\"taskId\":\"(\\d+)\"").matcher(started.body());
        assertThat(id.find()).as(started.body()).isTrue();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> task = send(HttpRequest.newBuilder(uri("/api/tasks/" + id.group(1))).build());
            assertThat(task.statusCode()).isEqualTo(200);
            assertThat(task.body()).contains("\"status\":\"COMPLETED\"").contains("\"name\":\"price-item\"")
                    .contains("\"childCount\":12");
        });
    }

    @Test
    void actuatorShowsTaskTreesAndLimitsAndCancelIsReadOnlyByDefault() throws Exception {
        HttpResponse<String> started = send(HttpRequest.newBuilder(uri("/api/price-checks?items=3"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        Matcher id = Pattern.compile("\"taskId\":\"(\\d+)\"").matcher(started.body());
        assertThat(id.find()).isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> tasks = send(HttpRequest.newBuilder(uri("/actuator/asynctasks")).build());
            assertThat(tasks.statusCode()).isEqualTo(200);
            assertThat(tasks.body()).contains("\"recent\"").contains("\"id\":\"" + id.group(1) + "\"")
                    .contains("\"name\":\"price-item\"");
        });
        HttpResponse<String> one = send(HttpRequest.newBuilder(uri("/actuator/asynctasks/" + id.group(1))).build());
        assertThat(one.body()).contains("\"childCount\":3").contains("\"cpuNanos\"");
        assertThat(send(HttpRequest.newBuilder(uri("/actuator/asynctasks/424242")).build()).statusCode()).isEqualTo(404);
        HttpResponse<String> cancel = send(HttpRequest.newBuilder(uri("/actuator/asynctasks/" + id.group(1)))
                .DELETE().build());
        assertThat(cancel.statusCode()).as("no write operation under read-only access").isEqualTo(405);
        HttpResponse<String> prometheus = send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("sweet_async_tasks_seconds_count{").contains("name=\"price-item\"")
                .contains("sweet_async_tasks_active_tasks").contains("sweet_async_tasks_cpu_seconds_total{");
        HttpResponse<String> limits = send(HttpRequest.newBuilder(uri("/actuator/asynclimits")).build());
        assertThat(limits.statusCode()).isEqualTo(200);
        assertThat(limits.body()).contains("\"groups\"");
    }

    @Test
    void rejectsABadItemCount() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/price-checks?items=0"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).isEqualTo(400);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
