package io.sweetasync.internal;

/**
 * Not API. Whether a failure says something timed out: how the engine ({@code io.sweetasync}, a task's attempt)
 * and a pipeline's receive ({@code io.sweetasync.emit}) tell a group's limiter that work failed as overload does
 * (a drop) rather than for a reason of its own (no sample).
 */
public final class Timeouts {

    private Timeouts() {
    }

    /**
     * Whether {@code error} says something timed out: it, or one of its first causes, is of a type whose name
     * (or a superclass's) ends in {@code TimeoutException} ({@code java.util.concurrent.TimeoutException},
     * {@code SocketTimeoutException}, {@code HttpTimeoutException}, {@code SQLTimeoutException},
     * {@code TaskTimeoutException}...). By name, so that every library's timeouts count without depending on
     * it. User code: a {@code getCause()} that throws (anything: an {@code AssertionError}, the
     * {@code StackOverflowError} of a cause built lazily) ends the walk, a cycle of causes too; this never throws,
     * as the permit it decides how to give back would be kept for good.
     */
    public static boolean isTimeout(Throwable error) {
        Throwable at = error;
        for (int depth = 0; at != null && depth < 16; depth++) {
            for (Class<?> type = at.getClass(); type != null && type != Throwable.class; type = type.getSuperclass()) {
                if (type.getName().endsWith("TimeoutException")) {
                    return true;
                }
            }
            Throwable cause;
            try {
                cause = at.getCause();
            }
            catch (Throwable unreadable) { // the user's exception: a checked one its language does not declare too
                return false;
            }
            at = cause == at ? null : cause;
        }
        return false;
    }
}
