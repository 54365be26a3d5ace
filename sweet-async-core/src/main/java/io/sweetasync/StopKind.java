package io.sweetasync;

/**
 * Why a task was stopped before its body could decide its outcome, and the terminal status that follows from it
 * ({@code null} for {@link #PASS_THROUGH}: the upstream task's). The kind of a {@link Stop}; immutable.
 */
enum StopKind {
    CANCEL(TaskStatus.CANCELLED), TIMEOUT(TaskStatus.TIMED_OUT), REJECT(TaskStatus.FAILED), PASS_THROUGH(null),
    /** The member it was placed on left the cluster: {@link TaskLostException}. */
    LOST(TaskStatus.FAILED);

    final TaskStatus status;

    StopKind(TaskStatus status) {
        this.status = status;
    }
}
