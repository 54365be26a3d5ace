package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The orchestrator stops after the web server: while it waits {@code sweet.async.shutdown.grace} for the
 * running tasks, the server no longer takes requests, whose tasks it would only reject. With
 * {@code server.shutdown=immediate} the server stops in the phase of the web server's start and stop,
 * which was the orchestrator's too, and Spring stopped the orchestrator first: for the whole grace the
 * server accepted requests.
 */
class ShutdownOrderTests {

    @Test
    @Timeout(120)
    void theServerTakesNoRequestsWhileTheOrchestratorWaitsForItsTasks() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "server.shutdown=immediate", "sweet.async.shutdown.grace=60s")
                .run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        assertThat(accepts(port)).as("the server takes connections before the shutdown").isTrue();
        TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> busy = orchestrator.to(String.class).named("busy").run(() -> {
            running.countDown();
            release.await();
            return "done";
        });
        running.await();
        Thread closing = Thread.ofPlatform().start(context::close);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !orchestrator.isAccepting());
            assertThat(accepts(port)).as("the server takes connections while the orchestrator waits for its tasks")
                    .isFalse();
        }
        finally {
            release.countDown();
            closing.join();
        }
        assertThat(busy.join()).as("the running task was awaited").isEqualTo("done");
    }

    private static boolean accepts(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5_000);
            return true;
        }
        catch (ConnectException refused) {
            return false;
        }
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, SweetAsyncAutoConfiguration.class })
    static class App {
    }
}
