package io.sweetasync.boot.actuate;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The web face of {@link AsyncTasksEndpoint}: its cancel, {@code POST} (the write operation) or {@code DELETE
 * /actuator/asynctasks/{id}}, answers 404 for an unknown or finished task, as {@code GET} does for an unknown
 * one (an endpoint's own delete operation answering nothing would be a 204), and 403 when a browser sends it
 * from a page of another site ({@code CrossSiteWrites}); its reads take their numbers as
 * text, so one that is not a number answers 400 naming the parameter and the value (Actuator's own conversion
 * answered only "Parameter mapping failure").
 *
 * <pre>{@code
 * GET /actuator/asynctasks?limit=abc   ->  400 "limit must be a whole number, was 'abc'"
 * }</pre>
 */
@EndpointWebExtension(endpoint = AsyncTasksEndpoint.class)
public class AsyncTasksEndpointWebExtension {

    private static final int FORBIDDEN = 403;

    private final AsyncTasksEndpoint endpoint;

    public AsyncTasksEndpointWebExtension(AsyncTasksEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * {@link AsyncTasksEndpoint#tasks(String, String, String, Integer, Integer, Integer, String)} over HTTP.
     *
     * @throws InvalidEndpointRequestException (400) naming the bad value
     */
    @ReadOperation
    public AsyncTasksEndpoint.TasksDescriptor tasks(@Nullable String status, @Nullable String name,
            @Nullable String since, @Nullable String offset, @Nullable String limit, @Nullable String depth,
            @Nullable String expand) {
        return endpoint.tasks(status, name, since, AsyncTasksParameters.number("offset", offset),
                AsyncTasksParameters.number("limit", limit), AsyncTasksParameters.number("depth", depth), expand);
    }

    /**
     * {@link AsyncTasksEndpoint#task(String, Integer)} over HTTP: 404 for an unknown task.
     *
     * @throws InvalidEndpointRequestException (400) naming the bad value
     */
    @ReadOperation
    public @Nullable TaskDescriptor task(@Selector String id, @Nullable String limit) {
        return endpoint.task(id, AsyncTasksParameters.number("limit", limit));
    }

    /**
     * Cancels a live task and its subtree: 200 with whether it ends cancelled (when not, the task's status: it
     * finished, or was ending otherwise, as the cancel came), 404 if there is none or it has finished; 403
     * when a page of another site sent the request through a browser (a form's {@code POST} needs no CORS
     * preflight, and ids are sequential: any page the operator opened could cancel every task).
     */
    @DeleteOperation
    public WebEndpointResponse<?> cancel(@Selector String id) {
        if (CrossSiteWrites.current()) {
            return new WebEndpointResponse<>(new Refused("cancel of " + id + " refused: the request came from a page"
                    + " of another site (Sec-Fetch-Site / Origin); cancel from the dashboard, or without a browser"),
                    FORBIDDEN);
        }
        AsyncTasksEndpoint.CancelDescriptor answer = endpoint.cancel(id);
        return answer == null ? new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)
                : new WebEndpointResponse<>(answer);
    }

    /** The same cancel as Actuator's write operation, {@code POST /actuator/asynctasks/{id}}. */
    @WriteOperation
    public WebEndpointResponse<?> cancelTask(@Selector String id) {
        return cancel(id);
    }

    /** Why a cancel was refused. */
    public record Refused(String message) {
    }
}
