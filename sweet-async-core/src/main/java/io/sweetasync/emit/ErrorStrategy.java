package io.sweetasync.emit;

import io.sweetasync.RetryPolicy;
import java.util.Objects;

/**
 * What a pipeline does when a receiver (or the sender) fails.
 *
 * <pre>{@code
 * .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(100))))
 * .errorStrategy(ErrorStrategy.stopOnFirst())
 * }</pre>
 *
 * @param stopsOnFirstError whether the first error cancels the pipeline (its result is then an error)
 * @param retry       how each failed event is retried before it counts as an error
 */
public record ErrorStrategy(boolean stopsOnFirstError, RetryPolicy retry) {

    public ErrorStrategy {
        Objects.requireNonNull(retry, "retry");
    }

    /** The default: record errors in {@link FinalEvent#errors()} and go on. */
    public static ErrorStrategy continueOnError() {
        return new ErrorStrategy(false, RetryPolicy.none());
    }

    /**
     * Cancel the pipeline at the first error; the pipeline fails with it. No receive starts once that error is
     * recorded (after its retries, if any), on any receiver worker; receives already running are interrupted as
     * the workers are stopped, and their results are in no final event.
     */
    public static ErrorStrategy stopOnFirst() {
        return new ErrorStrategy(true, RetryPolicy.none());
    }

    /**
     * Retries each failed event with {@code policy} (delays on the receiver worker) before counting it. The
     * attempts share the event's collector: what a failed attempt collected stays (see {@link EventCollector}).
     */
    public ErrorStrategy withRetry(RetryPolicy policy) {
        return new ErrorStrategy(stopsOnFirstError, policy);
    }
}
