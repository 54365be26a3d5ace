package io.sweetasync.boot.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The dashboard page: {@code GET <path>} answers the page, {@code <path>/assets/*} its script and style.
 * The page reads the {@code asynctasks} endpoint (and {@code asynclimits} when it is exposed) from the
 * browser, so it shows exactly what the endpoints let that user read; it offers cancel buttons only when
 * the endpoint has its delete operation ({@code management.endpoint.asynctasks.access=unrestricted}).
 * While {@code asynctasks} is not exposed over the web, the page answers 404 saying how to expose it. The
 * page's links carry the context path and the {@code DispatcherServlet}'s path ({@code spring.mvc.servlet.path}),
 * as the endpoints it reads are mapped under both.
 *
 * <pre>{@code
 * RouterFunction<ServerResponse> routes = new DashboardPage("/sweet-async", () -> pathMappedEndpoints).routes();
 * }</pre>
 */
public final class DashboardPage {

    private static final EndpointId TASKS = EndpointId.of("asynctasks");
    private static final EndpointId LIMITS = EndpointId.of("asynclimits");
    private static final String ASSETS = "io/sweetasync/boot/dashboard/";

    private final String path;
    private final Supplier<PathMappedEndpoints> endpoints;
    private final String template;

    /**
     * @param path      where the page is served, e.g. {@code /sweet-async}
     * @param endpoints the web endpoints (null when Actuator's web endpoints are off)
     */
    public DashboardPage(String path, Supplier<PathMappedEndpoints> endpoints) {
        this.path = Objects.requireNonNull(path, "path");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.template = read(ASSETS + "index.html");
    }

    /** The page's routes. */
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .GET(path, this::page)
                .GET(path + "/", this::page)
                // revalidated at every load (304 while unchanged): after an upgrade of the starter a browser must
                // not run the script it cached heuristically (for a tenth of the jar's age) against the new page
                .add(RouterFunctions.resources(path + "/assets/**", new ClassPathResource(ASSETS + "assets/"),
                        (resource, headers) -> headers.setCacheControl("no-cache")))
                .build();
    }

    private ServerResponse page(ServerRequest request) {
        PathMappedEndpoints mapped = endpoints.get();
        String tasks = mapped == null ? null : mapped.getPath(TASKS);
        if (tasks == null) {
            return ServerResponse.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_HTML)
                    .body(offPage());
        }
        String prefix = prefix(request.servletRequest());
        String limits = mapped.getPath(LIMITS);
        String html = template.replace("{{base}}", escape(prefix + path))
                .replace("{{tasks}}", escape(prefix + tasks))
                .replace("{{limits}}", limits == null ? "" : escape(prefix + limits))
                .replace("{{cancel}}", Boolean.toString(allowsCancel(mapped.getEndpoint(TASKS))));
        // never drawn in another site's frame: a transparent frame under that site's button would turn the
        // operator's click into one on Cancel (clickjacking)
        return ServerResponse.ok().contentType(MediaType.TEXT_HTML).header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "frame-ancestors 'self'").header("X-Frame-Options", "SAMEORIGIN")
                .body(html);
    }

    /**
     * The context path and the {@code DispatcherServlet}'s path ({@code spring.mvc.servlet.path=/app} maps it to
     * {@code /app/*}), under which the page and the endpoints are both mapped: the page's links are absolute, so
     * they carry both. With the default mapping ({@code /}) the servlet path is the whole path, and no prefix.
     */
    private static String prefix(HttpServletRequest request) {
        boolean underAPath = request.getHttpServletMapping().getMappingMatch() == MappingMatch.PATH;
        return request.getContextPath() + (underAPath ? request.getServletPath() : "");
    }

    private static boolean allowsCancel(PathMappedEndpoint endpoint) {
        return endpoint instanceof ExposableWebEndpoint web
                && web.getOperations().stream().anyMatch(operation -> operation.getType() == OperationType.DELETE);
    }

    private static String offPage() {
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Sweet Async dashboard: off</title></head>
                <body><h1>Sweet Async dashboard is off</h1>
                <p id="off">The dashboard reads the <code>asynctasks</code> Actuator endpoint, which is not exposed
                over the web. Expose it with
                <code>management.endpoints.web.exposure.include=asynctasks,asynclimits</code>
                (add <code>management.endpoint.asynctasks.access=unrestricted</code> to cancel tasks from the page),
                or switch the page off with <code>sweet.async.dashboard.enabled=false</code>.</p>
                </body></html>
                """;
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String read(String resource) {
        try (InputStream in = new ClassPathResource(resource).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("the dashboard page " + resource + " is missing from the starter's jar", ex);
        }
    }
}
