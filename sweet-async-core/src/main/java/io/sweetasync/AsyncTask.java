package io.sweetasync;

import java.util.Optional;

/**
 * Entry points for tasks on the global orchestrator ({@link TaskOrchestrator#global()}).
 *
 * <pre>{@code
 * // run now, get a handle
 * SpawningTask<Report> task = AsyncTask.to(Report.class)
 *         .named("monthly-report")
 *         .timeout(Duration.ofSeconds(30))
 *         .retry(RetryPolicy.exponential(3, Duration.ofMillis(200), Duration.ofSeconds(2)))
 *         .run(() -> reports.build(month));
 *
 * // or run and wait
 * User user = AsyncTask.to(User.class).await(() -> users.load(id));
 * }</pre>
 */
public final class AsyncTask {

    private AsyncTask() {
    }

    /** A builder for a task producing {@code type}. */
    public static <T> SpawningTaskBuilder<T> to(Class<T> type) {
        return TaskOrchestrator.global().to(type);
    }

    /** A builder for a task whose value type is inferred: {@code AsyncTask.<List<User>>to()}. */
    public static <T> SpawningTaskBuilder<T> to() {
        return TaskOrchestrator.global().to();
    }

    /**
     * A builder for a streaming pipeline whose events are {@code type}; see
     * {@link io.sweetasync.emit.EmittingTaskBuilder}.
     */
    public static <E> io.sweetasync.emit.EmittingTaskBuilder<E> emits(Class<E> type) {
        return TaskOrchestrator.global().emits(type);
    }

    /** A builder for a streaming pipeline whose event type is inferred: {@code AsyncTask.<Row>emits()}. */
    public static <E> io.sweetasync.emit.EmittingTaskBuilder<E> emits() {
        return TaskOrchestrator.global().emits();
    }

    /** The task whose body runs on this thread; empty elsewhere. Same as {@link TaskContext#current()}. */
    public static Optional<TaskContext> current() {
        return TaskContext.current();
    }
}
