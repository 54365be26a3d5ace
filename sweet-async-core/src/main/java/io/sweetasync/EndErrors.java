package io.sweetasync;

/**
 * Builds the exception a task that did not complete ends with ({@link TaskEnding#finish}): its body's failure
 * ({@link TaskFailedException}), or the one the stop request that decided its end calls for (cancelled, timed
 * out, rejected, lost, or the upstream task's error passed through). Static functions of the finishing task,
 * called by the one thread that runs its {@code finish()}, before the terminal status is published: each
 * exception's snapshot shows the terminal status it is given.
 */
final class EndErrors {

    private EndErrors() {
    }

    /**
     * The error of {@code task} ending {@code terminal}: {@code failure}, its body's (null if none), or the stop
     * {@code request} that decided its end (null if none). A stop landing after the body failed for good, while
     * its children returned, decides the end all the same (the task was not terminal yet); the body's failure is
     * kept with it as a suppressed exception, not lost.
     */
    static AsyncTaskException of(TaskEnding<?> task, Stop request, TaskStatus terminal, Throwable failure) {
        if (request == null) {
            return new TaskFailedException(task.snapshot(terminal, failureOf(failure)), failure);
        }
        AsyncTaskException stopped = stopError(task, request, terminal);
        if (failure != null && request.kind() != StopKind.PASS_THROUGH) { // a passed error is another task's
            stopped.addSuppressed(failure);
        }
        return stopped;
    }

    private static AsyncTaskException stopError(TaskEnding<?> task, Stop request, TaskStatus terminal) {
        return switch (request.kind()) {
            case PASS_THROUGH -> request.passed();
            case CANCEL -> new TaskCancelledException(
                    task.snapshot(terminal, new TaskInfo.Failure("TaskCancelledException", request.reason())),
                    request.reason());
            case TIMEOUT -> new TaskTimeoutException(
                    task.snapshot(terminal, new TaskInfo.Failure("TaskTimeoutException", request.reason())),
                    task.settings.timeout);
            case REJECT -> new TaskRejectedException(
                    task.snapshot(terminal, new TaskInfo.Failure("TaskRejectedException", request.reason())),
                    request.rejection(), request.reason());
            case LOST -> new TaskLostException(
                    task.snapshot(terminal, new TaskInfo.Failure("TaskLostException", request.reason())),
                    request.reason());
        };
    }

    private static TaskInfo.Failure failureOf(Throwable error) {
        return new TaskInfo.Failure(AsyncTaskException.typeOf(error), String.valueOf(AsyncTaskException.messageOf(error)));
    }
}
