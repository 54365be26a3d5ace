package io.sweetasync.spi;

import io.sweetasync.TaskInfo;
import java.util.function.Supplier;

/**
 * Carries context (logging MDC, tracing, security, locale...) from the thread that creates a task into
 * every attempt of its body and into its fallback, on whatever thread runs them. Child tasks are
 * created inside their parent's body, so what a parent's attempt restored is what its children
 * capture. Registered with {@code TaskOrchestrator.Builder.contextPropagator(...)}.
 *
 * <p>Implementations must be quick and must not throw: a failing propagator is logged and skipped, never
 * breaking the task.
 *
 * <pre>{@code
 * ContextPropagator mdc = task -> {
 *     Map<String, String> captured = MDC.getCopyOfContextMap();
 *     return () -> {
 *         Map<String, String> previous = MDC.getCopyOfContextMap();
 *         MDC.setContextMap(captured == null ? Map.of() : captured);
 *         return () -> MDC.setContextMap(previous == null ? Map.of() : previous);
 *     };
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ContextPropagator {

    /** Captures the current thread's context for {@code task}, which is being created on it. */
    Captured capture(TaskInfo task);

    /**
     * Captures the current thread's context for a task being created on it, whose snapshot {@code task} makes
     * when asked (once, shared by the orchestrator's propagators): the engine calls this method, whose default
     * calls {@link #capture(TaskInfo)} with that snapshot. A propagator whose context does not depend on the task
     * (most: a logging MDC, a security context, a locale) overrides it, so that no task pays for a snapshot
     * nobody reads. Call {@code task.get()} within this method only: later, the snapshot would show the task as
     * it is then.
     *
     * <pre>{@code
     * public Captured captureLazily(Supplier<TaskInfo> task) {
     *     Locale captured = LocaleContextHolder.getLocale(); // the task is not needed
     *     return () -> {
     *         Locale previous = LocaleContextHolder.getLocale();
     *         LocaleContextHolder.setLocale(captured);
     *         return () -> LocaleContextHolder.setLocale(previous);
     *     };
     * }
     * }</pre>
     */
    default Captured captureLazily(Supplier<TaskInfo> task) {
        return capture(task.get());
    }

    /** Context captured for one task. */
    @FunctionalInterface
    interface Captured {

        /** Makes the captured context current on this thread until the returned scope is closed. */
        Scope restore();

        /**
         * Runs {@code body} (an attempt or the fallback) with the captured context. The default opens
         * {@link #restore()} around it; override to wrap the body instead (e.g. a Spring
         * {@code TaskDecorator}). Must call {@code body} exactly once and pass on what it returns or throws.
         */
        @SuppressWarnings("try") // the scope only needs to be open while the body runs
        default <V> V around(java.util.concurrent.Callable<V> body) throws Exception {
            try (Scope scope = restore()) {
                return body.call();
            }
        }

        /** Called once, when the task has reached its terminal status ({@code task} is final). */
        default void finished(TaskInfo task) {
        }

        /**
         * Called once, when the task has reached its terminal status, with the error it ended with: for
         * a failure the body's exception, else the {@code TaskTimeoutException}, {@code TaskCancelledException}
         * or {@code TaskRejectedException} its callers get; {@code null} when it completed. The engine calls
         * this method; the default calls {@link #finished(TaskInfo)}.
         *
         * <pre>{@code
         * public void finished(TaskInfo task, Throwable error) {
         *     if (error != null) span.recordException(error);
         *     span.end();
         * }
         * }</pre>
         */
        default void finished(TaskInfo task, Throwable error) {
            finished(task);
        }
    }

    /** A restored context; closing it puts back what the thread had before. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
