package io.sweetasync.boot.actuate;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.CorsEndpointProperties;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.context.support.WebApplicationContextUtils;
import org.springframework.web.cors.CorsConfiguration;

/**
 * Whether the web request being answered on this thread was sent by a page of another site (cross-site request
 * forgery): a {@code POST} from a form or a {@code no-cors} fetch needs no CORS preflight, so without this check a
 * page the operator opens could cancel tasks through the operator's browser, with its credentials. As Go's
 * {@code net/http.CrossOriginProtection} decides: a browser's {@code Sec-Fetch-Site} must be {@code same-origin}
 * (the dashboard) or {@code none} (typed by the user); without it, an {@code Origin} must name the request's own
 * host; a request with neither is not a browser's (curl, a script) and passes. The origins the application
 * trusts with its endpoints on purpose, Actuator's CORS settings ({@code management.endpoints.web.cors.*}, an
 * admin UI of another origin), pass too.
 */
final class CrossSiteWrites {

    private static final boolean SERVLET = ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", null)
            && ClassUtils.isPresent("org.springframework.web.context.request.RequestContextHolder", null);
    private static final boolean CORS = ClassUtils.isPresent(
            "org.springframework.boot.actuate.autoconfigure.endpoint.web.CorsEndpointProperties", null);

    private CrossSiteWrites() {
    }

    /** Whether the current request, if it is a servlet request, came from a page of another site. */
    static boolean current() {
        return SERVLET && Servlet.crossSite();
    }

    static boolean crossSite(String fetchSite, String origin, String host) {
        if (fetchSite != null) {
            return !fetchSite.equals("same-origin") && !fetchSite.equals("none");
        }
        if (origin == null) {
            return false;
        }
        try {
            URI from = URI.create(origin);
            String authority = from.getRawAuthority();
            return authority == null || host == null || !authority.equalsIgnoreCase(host);
        }
        catch (IllegalArgumentException ex) {
            return true;      // "null" (a sandboxed or opaque origin) and anything unreadable
        }
    }

    /** Apart, so that an application without the servlet API never loads it. */
    private static final class Servlet {

        static boolean crossSite() {
            RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
            if (!(attributes instanceof ServletRequestAttributes servlet)) {
                return false;
            }
            HttpServletRequest request = servlet.getRequest();
            String origin = request.getHeader("Origin");
            return CrossSiteWrites.crossSite(request.getHeader("Sec-Fetch-Site"), origin, request.getHeader("Host"))
                    && !(CORS && origin != null && Cors.trusts(request, origin));
        }
    }

    /** Apart, so that an application without Actuator's auto-configuration never loads it. */
    private static final class Cors {

        static boolean trusts(HttpServletRequest request, String origin) {
            WebApplicationContext context = WebApplicationContextUtils.findWebApplicationContext(
                    request.getServletContext());
            CorsEndpointProperties properties = context == null ? null
                    : context.getBeanProvider(CorsEndpointProperties.class).getIfAvailable();
            CorsConfiguration trusted = properties == null ? null : properties.toCorsConfiguration();
            return trusted != null && trusted.checkOrigin(origin) != null;
        }
    }
}
