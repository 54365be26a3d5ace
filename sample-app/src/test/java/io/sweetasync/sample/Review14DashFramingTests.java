package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With {@code management.endpoint.asynctasks.access=unrestricted} the page carries Cancel buttons. A page of
 * another site must not be able to show the dashboard in a frame of its own (transparent, under a button of
 * its own: clickjacking), so that the operator's click lands on Cancel. The dashboard is not meant to be framed
 * by other sites: its answer says so ({@code frame-ancestors 'self'}), and the browser then refuses to draw it.
 *
 * <p>The other site is a page served from {@code 127.0.0.1} while the application is addressed as
 * {@code localhost}: a different site to the browser.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted",
                "spring.datasource.url=jdbc:h2:mem:review14-framing-${random.uuid};DB_CLOSE_DELAY=-1" })
class Review14DashFramingTests {

    @LocalServerPort
    int port;

    private HttpServer otherSite;

    @BeforeEach
    void startOtherSite() throws Exception {
        otherSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        otherSite.createContext("/", exchange -> {
            byte[] body = ("<!DOCTYPE html><html><body><p id='loaded'></p>"
                    + "<iframe id='victim' style='opacity: 0.01' width='1200' height='800'"
                    + " onload=\"document.getElementById('loaded').textContent = 'loaded'\""
                    + " src='http://localhost:" + port + "/sweet-async'></iframe></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
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

    @Test
    void aPageOfAnotherSiteCannotShowTheDashboardInAFrame() throws Exception {
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://127.0.0.1:" + otherSite.getAddress().getPort() + "/");
            // the frame's load event comes once its navigation ended: with the dashboard, or with the browser's refusal
            browser.await(d -> d.findElement(By.id("loaded")).getText().equals("loaded"));
            browser.driver().switchTo().frame("victim");
            Object framed = browser.script("return document.body && document.body.dataset.tasks !== undefined");
            browser.driver().switchTo().defaultContent();
            assertThat(framed).as("the dashboard drawn inside another site's frame").isEqualTo(false);

            // its own site still shows it, at the top level
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            browser.await(d -> d.findElement(By.id("summary")).getText().contains("live tasks"));
        }
    }
}
