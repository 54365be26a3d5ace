package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The cancel refuses requests a browser sends from pages of other sites ({@link Review14DashCrossSiteCancelTests}),
 * except from the origins the application trusts with its endpoints on purpose: Actuator's CORS settings
 * ({@code management.endpoints.web.cors.allowed-origins}), which let an admin UI of another origin call them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted",
                "management.endpoints.web.cors.allowed-origins=https://admin.example.com",
                "management.endpoints.web.cors.allowed-methods=GET,POST,DELETE",
                "spring.datasource.url=jdbc:h2:mem:review14-cors-${random.uuid};DB_CLOSE_DELAY=-1" })
class Review14DashTrustedOriginTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Test
    void anOriginTheCorsSettingsAllowCancelsAnotherIsRefused() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("nightly-billing").run(() -> {
            release.await();
            return 1;
        });
        try {
            URI uri = URI.create("http://localhost:" + port + "/actuator/asynctasks/" + task.id());
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(uri).header("Origin", "https://evil.example")
                    .header("Sec-Fetch-Site", "cross-site").method("DELETE", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
            assertThat(task.status()).isNotEqualTo(TaskStatus.CANCELLED);

            HttpResponse<String> trusted = http.send(HttpRequest.newBuilder(uri)
                    .header("Origin", "https://admin.example.com").header("Sec-Fetch-Site", "cross-site")
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(trusted.statusCode()).as(trusted.body()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> task.status() == TaskStatus.CANCELLED);
        }
        finally {
            release.countDown();
        }
    }
}
