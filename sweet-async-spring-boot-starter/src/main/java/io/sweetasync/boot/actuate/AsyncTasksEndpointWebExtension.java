package io.sweetasync.boot.actuate;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The web face of {@link AsyncTasksEndpoint}'s cancel: {@code POST} (the write operation) or {@code DELETE
 * /actuator/asynctasks/{id}} answers
 * 404 for an unknown or finished task, as {@code GET} does for an unknown one (an endpoint's own delete
 * operation answering nothing would be a 204).
 */
@EndpointWebExtension(endpoint = AsyncTasksEndpoint.class)
public class AsyncTasksEndpointWebExtension {

    private final AsyncTasksEndpoint endpoint;

    public AsyncTasksEndpointWebExtension(AsyncTasksEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Cancels a live task and its subtree: 200 with whether this request cancelled it, 404 if there is none. */
    @DeleteOperation
    public WebEndpointResponse<AsyncTasksEndpoint.CancelDescriptor> cancel(@Selector String id) {
        AsyncTasksEndpoint.CancelDescriptor answer = endpoint.cancel(id);
        return answer == null ? new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)
                : new WebEndpointResponse<>(answer);
    }

    /** The same cancel as Actuator's write operation, {@code POST /actuator/asynctasks/{id}}. */
    @WriteOperation
    public WebEndpointResponse<AsyncTasksEndpoint.CancelDescriptor> cancelTask(@Selector String id) {
        return cancel(id);
    }
}
