package io.sweetasync.spi;

/**
 * Decides when a durable task that was just stored may start. The default starts it at once; the
 * Spring Boot starter's gate defers the start to after the surrounding transaction commits (the
 * invocation is stored in that transaction) and abandons it on rollback.
 *
 * <pre>{@code
 * DurableStartGate immediate = (start, abandon) -> start.run();
 * }</pre>
 */
@FunctionalInterface
public interface DurableStartGate {

    /**
     * Calls {@code start} exactly once when the task may run, or {@code abandon} exactly once when it must
     * not (its storing was rolled back). Called on the thread that submitted the task.
     */
    void afterStored(Runnable start, Runnable abandon);
}
