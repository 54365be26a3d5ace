package io.sweetasync;

import java.io.Serial;

/**
 * A task placed on another member of a cluster ({@link SpawningTaskBuilder#anywhere()}) failed there. The
 * handle of the task that placed it ends {@code FAILED} with a {@link TaskFailedException} whose cause is
 * this exception: the remote error's class and message travel as text, not the exception object itself.
 *
 * <pre>{@code
 * switch (task.result()) {
 *     case TaskResult.Err<Receipt>(TaskFailedException f) when f.getCause() instanceof RemoteTaskException r ->
 *             log.warn("{} failed on {}: {}", r.remoteTaskId(), r.member(), r.remoteType());
 *     default -> { }
 * }
 * }</pre>
 */
public final class RemoteTaskException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String member;
    private final String remoteTaskId;
    private final String remoteType;

    RemoteTaskException(String member, String remoteTaskId, String remoteType, String remoteMessage) {
        super(remoteType + " on member " + member + (remoteTaskId == null ? "" : " (as task " + remoteTaskId + ")") + ": "
                + remoteMessage, null, false, false);
        this.member = member;
        this.remoteTaskId = remoteTaskId;
        this.remoteType = remoteType;
    }

    /** The member the task ran on. */
    public String member() {
        return member;
    }

    /** The id of the task on that member. */
    public String remoteTaskId() {
        return remoteTaskId;
    }

    /** The simple class name of the error there (the handler's exception when it failed). */
    public String remoteType() {
        return remoteType;
    }
}
