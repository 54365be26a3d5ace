package io.sweetasync;

import io.sweetasync.spi.ContextPropagator;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * How a task's user code runs around the engine: inside the context the task was created in ({@link #capture} on
 * the creating thread, {@link #withContext} around its body and fallback), and, for the user code of its end (its
 * fallback, its listeners' {@code onFinished}, {@code onRetrying}), marked on the thread's carrier
 * ({@link #whileEnding}) so that its waits for a task that cannot end before this one are refused instead of never
 * ending. The layer above, {@link TaskEnding}, decides how the task ends.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>{@link #context} is written once, by {@link #capture} on the creating thread before the task is submitted,
 * and read by its attempts after the submission (which happens-before them); {@link #contextEnded} clears it once
 * the task finished, after telling it so.</li>
 * <li>{@link #whileEnding} leaves the thread as it found it, whatever the callback threw: the carrier's outer
 * ending task and callback (a callback may run another task's end on this thread, as a caller-runs body does), the
 * task shown on the thread, the trampoline's drain, the interrupt status of a body running here and the thread's
 * name, context class loader and priority;
 * {@link #runWhileEnding} (listeners) restores the outer ending task and callback.</li>
 * </ul>
 */
abstract class TaskUserCode<T> extends TaskFigures<T> {

    /** Context captured by the orchestrator's propagators when the task was created; null if none. */
    private PropagatedContext context;

    TaskUserCode(TaskSettings settings, long idValue, TaskId givenId) {
        super(settings, idValue, givenId);
    }

    /** The current thread's carrier (see {@link TaskAttempts#carrierHere}). */
    abstract Carrier carrierHere();

    /**
     * Runs {@code callback}, user code of this task's end (its fallback, its {@code onFinished} listeners) or
     * of its way to a retry (its {@code onRetrying} listeners), named {@code what} for messages, marked on
     * this thread's carrier ({@link Carrier#ending()}): its waits for a task that cannot end before this one
     * are refused ({@link TaskNode#refuseWaitingForItselfOrAnAncestor}) instead of never ending. An interrupt
     * it leaves on the thread of a body (a child's fallback running on its parent's) does not reach that body
     * ({@link Carrier#afterGuest}).
     */
    final <V> V whileEnding(String what, Callable<V> callback) throws Exception {
        Carrier here = carrierHere();
        TaskNode<?> outer = here.ending(); // a callback may run another task's end on this thread (a caller-runs body)
        String outerWhat = here.endingCallback();
        here.markEnding(self(), what);
        Thread thread = Thread.currentThread(); // what the code may change of it, given back after it
        String name = thread.getName();
        ClassLoader loader = thread.getContextClassLoader();
        int priority = thread.getPriority();
        long before = Carrier.beforeGuest();
        TaskNode<?> hidden = Carrier.hideTask(); // a body running here (this task ending on another's thread) is not its
        ArrayDeque<Runnable> drain = Trampoline.leaveDrain(); // what the callback causes is not put off until it returns
        try {
            return callback.call();
        }
        finally {
            Trampoline.backToDrain(drain);
            Carrier.showTask(hidden);
            here.markEnding(outer, outerWhat);
            ThreadState.restoreAfterGuest(thread, name, loader, priority);
            Carrier.afterGuest(before);
        }
    }

    /** As {@link #whileEnding(String, Callable)}, for listeners. */
    final void runWhileEnding(String what, Runnable callback) {
        Carrier here = carrierHere();
        TaskNode<?> outer = here.ending();
        String outerWhat = here.endingCallback();
        here.markEnding(self(), what);
        try {
            callback.run();
        }
        finally {
            here.markEnding(outer, outerWhat);
        }
    }

    /** Captures context on the creating thread; called once, before the task is submitted. */
    void capture(List<ContextPropagator> propagators) {
        if (!propagators.isEmpty()) {
            context = PropagatedContext.capture(self(), propagators);
        }
    }

    /**
     * Tells the captured context, if any, that the task ended ({@code error}: how it failed, or null), and lets it
     * go; called once, by {@code finish()}.
     */
    final void contextEnded(Throwable error) {
        PropagatedContext mine = context;
        if (mine != null) {
            context = null;
            mine.finished(self().info(), error);
        }
    }

    /** Runs {@code body} inside the captured context, if any. */
    final <V> V withContext(Callable<V> body) throws Exception {
        PropagatedContext mine = context;
        return mine == null ? body.call() : mine.call(body);
    }
}
