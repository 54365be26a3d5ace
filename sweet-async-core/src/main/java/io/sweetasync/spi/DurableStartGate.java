package io.sweetasync.spi;

/**
 * Decides when a durable task that was just stored may start. The default starts it at once; the
 * Spring Boot starter's gate defers the start to after the surrounding transaction commits (the
 * invocation is stored in that transaction), abandons it on rollback, and leaves it undecided when the
 * transaction's outcome is unknown (a commit whose answer was lost).
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

    /**
     * As {@link #afterStored(Runnable, Runnable)}, with a third outcome: {@code undecided}, called exactly once
     * (instead of either of the others) when whether the invocation was stored is not known, such as a commit that
     * failed to answer. The task is then not started with the handle its submitter holds (that handle ends
     * {@code FAILED}, saying why); if the invocation was stored after all, the member that owns it runs it at least
     * once, found by that member's next looks at the task store, and if it was not, it never runs. The engine calls
     * this method; the default never calls {@code undecided}.
     *
     * <pre>{@code
     * DurableStartGate gate = new DurableStartGate() {
     *     public void afterStored(Runnable start, Runnable abandon) {
     *         afterStored(start, abandon, abandon);
     *     }
     *     public void afterStored(Runnable start, Runnable abandon, Runnable undecided) {
     *         outbox.whenSettled(committed -> (committed == null ? undecided : committed ? start : abandon).run());
     *     }
     * };
     * }</pre>
     */
    default void afterStored(Runnable start, Runnable abandon, Runnable undecided) {
        afterStored(start, abandon);
    }
}
