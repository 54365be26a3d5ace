package io.sweetasync.boot.actuate;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Whether the web request being answered on this thread was sent by a page of another site (cross-site request
 * forgery): a {@code POST} from a form or a {@code no-cors} fetch needs no CORS preflight, so without this check a
 * page the operator opens could cancel tasks through the operator's browser, with its credentials. As Go's
 * {@code net/http.CrossOriginProtection} decides: a browser's {@code Sec-Fetch-Site} must be {@code same-origin}
 * (the dashboard) or {@code none} (typed by the user); without it, an {@code Origin} must name the request's own
 * host; a request with neither is not a browser's (curl, a script) and passes.
 */
final class CrossSiteWrites {

    private static final boolean SERVLET = ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", null)
            && ClassUtils.isPresent("org.springframework.web.context.request.RequestContextHolder", null);

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
            return CrossSiteWrites.crossSite(request.getHeader("Sec-Fetch-Site"), request.getHeader("Origin"),
                    request.getHeader("Host"));
        }
    }
}
