package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted",
                "spring.datasource.url=jdbc:h2:mem:cancel-${random.uuid};DB_CLOSE_DELAY=-1" })
class CancelThroughActuatorTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Test
    void deleteCancelsARunningTaskWhenWritesAreAllowed() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("long-report").run(() -> {
            started.countDown();
            Thread.sleep(Long.MAX_VALUE);
            return 1;
        });
        started.await();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + port + "/actuator/asynctasks/" + task.id())).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"cancelled\":true");
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);

        assertThat(delete(task.id().toString()).statusCode()).as("finished: nothing to cancel").isEqualTo(404);
        assertThat(delete("999-999").statusCode()).as("unknown, as GET answers").isEqualTo(404);
        assertThat(delete("not-an-id").statusCode()).as("not an id: a bad request").isEqualTo(400);
    }

    private HttpResponse<String> delete(String id) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + port + "/actuator/asynctasks/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
