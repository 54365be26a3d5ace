package io.sweetasync;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of a task: {@link Ok} with its value or {@link Err} with the error. A failure is never
 * turned into a default value behind your back: {@link #orElse} and {@link #recover} are explicit.
 *
 * <pre>{@code
 * String text = switch (task.result()) {
 *     case TaskResult.Ok<Integer>(Integer n) -> "got " + n;
 *     case TaskResult.Err<Integer>(AsyncTaskException e) -> "failed: " + e.getMessage();
 * };
 * }</pre>
 *
 * @param <T> the value type
 */
public sealed interface TaskResult<T> permits TaskResult.Ok, TaskResult.Err {

    /** A successful outcome; {@code value} may be {@code null} if the task returned {@code null}. */
    record Ok<T>(T value) implements TaskResult<T> {
    }

    /** A failed, cancelled, timed-out or rejected outcome. */
    record Err<T>(AsyncTaskException error) implements TaskResult<T> {
        public Err {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T> TaskResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> TaskResult<T> err(AsyncTaskException error) {
        return new Err<>(error);
    }

    /** Whether this is an {@link Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /** Applies {@code mapper} to the value of an {@link Ok}; an {@link Err} passes through. */
    default <U> TaskResult<U> map(Function<? super T, ? extends U> mapper) {
        Objects.requireNonNull(mapper, "mapper"); // also for an Err, whose mapper is not applied: the bug shows at once
        return switch (this) {
            case Ok<T> ok -> new Ok<>(mapper.apply(ok.value()));
            case Err<T> err -> new Err<>(err.error());
        };
    }

    /** Replaces an {@link Ok} by the result {@code mapper} returns for its value; an {@link Err} passes through. */
    default <U> TaskResult<U> flatMap(Function<? super T, ? extends TaskResult<U>> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return switch (this) {
            case Ok<T> ok -> Objects.requireNonNull(mapper.apply(ok.value()), "flatMap mapper returned null");
            case Err<T> err -> new Err<>(err.error());
        };
    }

    /** Turns an {@link Err} into an {@link Ok} with the value {@code recovery} computes from the error. */
    default TaskResult<T> recover(Function<? super AsyncTaskException, ? extends T> recovery) {
        Objects.requireNonNull(recovery, "recovery"); // also for an Ok, whose recovery is not applied
        return switch (this) {
            case Ok<T> ok -> ok;
            case Err<T> err -> new Ok<>(recovery.apply(err.error()));
        };
    }

    /** The value of an {@link Ok}, or {@code other} for an {@link Err}. */
    default T orElse(T other) {
        return this instanceof Ok<T>(T value) ? value : other;
    }

    /** The value of an {@link Ok}; throws the error of an {@link Err}. */
    default T orElseThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Err<T> err -> throw err.error();
        };
    }
}
