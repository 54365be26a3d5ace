package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The page's assets are served from one folder of the starter's jar: no path below {@code /sweet-async/assets/}
 * reaches another resource of the class path (the application's {@code application.properties}, with its
 * data source settings, or the classes beside the assets). Sent over a raw socket, as a hostile client would,
 * untouched by a client's normalising of the path.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:review14-assets-${random.uuid};DB_CLOSE_DELAY=-1")
class Review14DashAssetPathsTests {

    @LocalServerPort
    int port;

    @Test
    void noPathBelowTheAssetsReachesAnotherResource() throws Exception {
        assertThat(get("/sweet-async/assets/dashboard.js")).startsWith("HTTP/1.1 200").contains("sweetAsyncDashboard");
        List<String> paths = List.of(
                "/sweet-async/assets/../../../../../application.properties",
                "/sweet-async/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/application.properties",
                "/sweet-async/assets/..%2f..%2f..%2f..%2f..%2fapplication.properties",
                "/sweet-async/assets/%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fapplication.properties",
                "/sweet-async/assets/..%5c..%5c..%5c..%5c..%5capplication.properties",
                "/sweet-async/assets/..;/..;/..;/..;/..;/application.properties",
                "/sweet-async/assets/../DashboardPage.class",
                "/sweet-async/assets/%2e%2e/DashboardPage.class",
                "/sweet-async/assets/..%2fDashboardPage.class",
                "/sweet-async/assets/../index.html",
                "/sweet-async/assets/",
                "/sweet-async/assets/file:/etc/passwd",
                "/sweet-async/assets/classpath:application.properties",
                "/sweet-async/assets//application.properties");
        for (String path : paths) {
            String answer = get(path);
            assertThat(answer).as(path).doesNotStartWith("HTTP/1.1 200")
                    .doesNotContain("management.endpoints").doesNotContain("root:").doesNotContain("{{tasks}}");
        }
    }

    private String get(String path) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
