package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.net.InetAddress;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Cancelling from the page is a write ({@code management.endpoint.asynctasks.access=unrestricted}): the README
 * says the endpoint's access and the user's security decide who may cancel. A page of another site that the
 * operator happens to open must not be able to cancel tasks through the operator's browser (which reaches the
 * application and carries its credentials). The dashboard cancels with {@code DELETE}, which a cross-site page
 * cannot send without a CORS preflight the application never grants; but the endpoint also cancels on a
 * {@code POST}, which a cross-site form or a {@code no-cors} fetch sends without asking (a "simple" request),
 * and task ids are sequential ({@code 1-1}, {@code 1-2}, ...), so such a page could cancel every task.
 *
 * <p>The other site is a page served from {@code 127.0.0.1} while the application is addressed as
 * {@code localhost}: a different site to the browser.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted",
                "spring.datasource.url=jdbc:h2:mem:review14-csrf-${random.uuid};DB_CLOSE_DELAY=-1" })
class Review14DashCrossSiteCancelTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    private HttpServer otherSite;
    private volatile String otherPage = "";

    @BeforeEach
    void startOtherSite() throws Exception {
        otherSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        otherSite.createContext("/", exchange -> {
            byte[] body = otherPage.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        otherSite.start();
    }

    @AfterEach
    void stopOtherSite() {
        otherSite.stop(0);
    }

    private String otherSite() {
        return "http://127.0.0.1:" + otherSite.getAddress().getPort() + "/";
    }

    @Test
    void aPageOfAnotherSiteCannotCancelATaskThroughTheOperatorsBrowser() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("nightly-billing").run(() -> {
            release.await();
            return 1;
        });
        String cancel = "http://localhost:" + port + "/actuator/asynctasks/" + task.id();
        try (Browser browser = Browser.open()) {
            // what such a page does: it cannot read the answer (no CORS), but it needs none
            otherPage = "<!DOCTYPE html><html><body><p id='sent'></p><script>"
                    + "fetch('" + cancel + "', { method: 'POST', mode: 'no-cors' })"
                    + ".then(() => 'answered', (e) => 'failed: ' + e)"
                    + ".then((how) => { document.getElementById('sent').textContent = how; });"
                    + "</script></body></html>";
            browser.driver().get(otherSite());
            String sent = browser.await(d -> {
                String text = d.findElement(By.id("sent")).getText();
                return text.isEmpty() ? null : text;
            });
            // the request reached the application and it answered (the page cannot see how)
            assertThat(sent).isEqualTo("answered");
            assertThat(task.status()).as("a no-cors POST from another site").isNotEqualTo(TaskStatus.CANCELLED);

            // a form, posted by the page as it loads: a top-level navigation, the application's answer shown
            otherPage = "<!DOCTYPE html><html><body><form method='POST' enctype='text/plain' action='" + cancel
                    + "'></form><script>document.forms[0].submit();</script></body></html>";
            browser.driver().get(otherSite());
            browser.await(d -> d.getCurrentUrl().startsWith("http://localhost:" + port + "/actuator/") ? true : null);
            assertThat(task.status()).as("a form POST from another site").isNotEqualTo(TaskStatus.CANCELLED);

            // the dashboard itself, on the application's own site, still cancels
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            browser.click(By.cssSelector("#tree button.cancel[data-id='" + task.id() + "']"));
            browser.await(d -> task.status() == TaskStatus.CANCELLED ? true : null);
        }
        finally {
            release.countDown();
        }
    }

    /**
     * A browser without {@code Sec-Fetch-Site} (an older one) still names the page's origin on a cross-site
     * {@code POST}: one of another host is refused. A client that is not a browser (curl, a script) sends neither
     * header: it still cancels.
     */
    @Test
    void aPostFromAClientThatIsNotABrowserStillCancels() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("nightly-billing").run(() -> {
            release.await();
            return 1;
        });
        try {
            URI uri = URI.create("http://localhost:" + port + "/actuator/asynctasks/" + task.id());
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> forged = http.send(HttpRequest.newBuilder(uri).header("Origin", "http://127.0.0.1:1")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
            assertThat(forged.body()).contains("another site");
            assertThat(task.status()).isNotEqualTo(TaskStatus.CANCELLED);
            HttpResponse<String> ownOrigin = http.send(HttpRequest.newBuilder(uri)
                    .header("Origin", "http://localhost:" + port).method("DELETE", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ownOrigin.statusCode()).as(ownOrigin.body()).isEqualTo(200);
            SpawningTask<Integer> first = task;
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> first.status() == TaskStatus.CANCELLED);

            task = orchestrator.to(Integer.class).named("nightly-billing").run(() -> {
                release.await();
                return 1;
            });
            HttpResponse<String> answer = http.send(HttpRequest
                    .newBuilder(URI.create("http://localhost:" + port + "/actuator/asynctasks/" + task.id()))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("\"cancelled\":true");
            SpawningTask<Integer> cancelled = task;
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> cancelled.status() == TaskStatus.CANCELLED);
        }
        finally {
            release.countDown();
        }
    }
}
