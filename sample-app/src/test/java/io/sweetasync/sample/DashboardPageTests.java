package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The dashboard page over plain HTTP: on, and where it reads from; off while asynctasks is not exposed. */
class DashboardPageTests {

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:h2:mem:page-${random.uuid};DB_CLOSE_DELAY=-1",
                    "server.servlet.context-path=/shop", "sweet.async.dashboard.path=/ops/tasks" })
    class Exposed {

        @LocalServerPort
        int port;

        @Test
        void servesThePageAndItsAssetsUnderTheConfiguredPath() throws Exception {
            HttpResponse<String> page = get(port, "/shop/ops/tasks");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("data-tasks=\"/shop/actuator/asynctasks\"")
                    .contains("data-limits=\"/shop/actuator/asynclimits\"").contains("data-cancel=\"false\"")
                    .contains("src=\"/shop/ops/tasks/assets/dashboard.js\"");
            HttpResponse<String> script = get(port, "/shop/ops/tasks/assets/dashboard.js");
            assertThat(script.body()).contains("sweetAsyncDashboard");
            // checked again at every load: after an upgrade of the starter, a browser must not run the script
            // it cached (heuristically, for a tenth of the jar's age) against the new page
            assertThat(script.headers().firstValue("Cache-Control")).hasValue("no-cache");
            assertThat(get(port, "/shop/ops/tasks/assets/dashboard.css").statusCode()).isEqualTo(200);
            assertThat(get(port, "/shop/sweet-async").statusCode()).isEqualTo(404);
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:h2:mem:page-off-${random.uuid};DB_CLOSE_DELAY=-1",
                    "management.endpoints.web.exposure.include=health,asynclimits" })
    class NotExposed {

        @LocalServerPort
        int port;

        @Test
        void saysItIsOffAndHowToSwitchItOn() throws Exception {
            HttpResponse<String> page = get(port, "/sweet-async");
            assertThat(page.statusCode()).isEqualTo(404);
            assertThat(page.body()).contains("dashboard is off")
                    .contains("management.endpoints.web.exposure.include=asynctasks,asynclimits");
        }
    }

    // ---- SPEC 8: "with the same access rules as the asynctasks endpoint it reads" ----------------------

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:h2:mem:page-none-${random.uuid};DB_CLOSE_DELAY=-1",
                    "management.endpoint.asynctasks.access=none" })
    class EndpointAccessNone {

        @LocalServerPort
        int port;

        @Test
        void isOffLikeTheEndpoint() throws Exception {
            assertThat(get(port, "/actuator/asynctasks").statusCode()).isEqualTo(404);
            HttpResponse<String> page = get(port, "/sweet-async");
            assertThat(page.statusCode()).isEqualTo(404);
            assertThat(page.body()).contains("dashboard is off");
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:h2:mem:page-capped-${random.uuid};DB_CLOSE_DELAY=-1",
                    "management.endpoint.asynctasks.access=unrestricted",
                    "management.endpoints.access.max-permitted=read-only" })
    class WritesCappedForAllEndpoints {

        @LocalServerPort
        int port;

        @Test
        void offersNoCancelLikeTheEndpoint() throws Exception {
            HttpResponse<String> page = get(port, "/sweet-async");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("data-cancel=\"false\"");
            HttpResponse<String> cancel = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/asynctasks/1-1")).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cancel.statusCode()).isEqualTo(405);
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:h2:mem:page-writes-${random.uuid};DB_CLOSE_DELAY=-1",
                    "management.endpoint.asynctasks.access=unrestricted" })
    class WritesAllowed {

        @LocalServerPort
        int port;

        @Test
        void offersCancelLikeTheEndpoint() throws Exception {
            assertThat(get(port, "/sweet-async").body()).contains("data-cancel=\"true\"");
        }
    }
}
