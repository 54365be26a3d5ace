package io.sweetasync;

import io.sweetasync.spi.ContextPropagator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The context one task's propagators captured when it was created, and how its body runs inside it.
 *
 * <p>Invariants: captured once, on the creating thread, before the task is submitted (so the task's
 * runner sees it through the submission's happens-before); a propagator's failure never changes the
 * body's outcome: one that fails before running the body is logged and skipped (the body runs without
 * it); one that fails after the body returned (e.g. its scope's {@code close()}) is logged and the body's
 * value kept; when both the body and the propagator throw, the body's exception wins. An interrupt a propagator
 * leaves on a body's thread (where it captures for a child, restores before a body, or hears of an end) does
 * not reach that body unless its task was stopped ({@link Carrier#afterGuest}); the name, context class loader and
 * priority its capture or {@code finished} changed are given back ({@link ThreadState#restoreAfterGuest}; its
 * {@code around} runs inside the body's own bracket, {@link TaskAttempts#runAttempt()}). A task without
 * propagators has none of this (its {@link TaskEnding} layer holds null).
 */
final class PropagatedContext {

    private final TaskNode<?> task;
    /** Never empty; an array, not a list: one object per task fewer than a list copied from the one filled. */
    private final ContextPropagator.Captured[] captured;

    private PropagatedContext(TaskNode<?> task, ContextPropagator.Captured[] captured) {
        this.task = task;
        this.captured = captured;
    }

    /**
     * Captures {@code propagators}' context for {@code task} on the creating thread; null if none captured any. The
     * array is made by the first capture: a task whose propagators all captured nothing (a propagator with nothing
     * to carry on this thread) costs no array.
     */
    static PropagatedContext capture(TaskNode<?> task, List<ContextPropagator> propagators) {
        Snapshot info = new Snapshot(task);
        ContextPropagator.Captured[] all = null;
        int count = 0;
        Thread thread = Thread.currentThread(); // what the code may change of it, given back after it
        String name = thread.getName();
        ClassLoader loader = thread.getContextClassLoader();
        int priority = thread.getPriority();
        long before = Carrier.beforeGuest();
        for (int i = 0; i < propagators.size(); i++) { // indexed: no iterator per task
            ContextPropagator propagator = propagators.get(i);
            ContextPropagator.Captured one;
            try {
                one = propagator.captureLazily(info);
            }
            catch (Throwable ex) {
                task.orchestrator().parts().warn("context propagator " + propagator.getClass().getName()
                        + " failed to capture for task " + task.label() + "; skipped", ex);
                continue;
            }
            if (one != null) {
                // outside the propagator's catch: the engine's own allocation failing is no propagator's failure
                // to skip with its context dropped, but the task's creation failing, as any bookkeeping does
                if (all == null) {
                    all = new ContextPropagator.Captured[propagators.size() - i];
                }
                all[count++] = one;
            }
        }
        ThreadState.restoreAfterGuest(thread, name, loader, priority);
        Carrier.afterGuest(before); // captured on a parent's body thread: its interrupt is no stop
        return count == 0 ? null : new PropagatedContext(task, count == all.length ? all : Arrays.copyOf(all, count));
    }

    /** Runs {@code body} inside every captured context, the first propagator outermost. */
    <V> V call(Callable<V> body) throws Exception {
        Callable<V> call = body;
        for (int i = captured.length - 1; i >= 0; i--) {
            call = aroundOne(captured[i], call);
        }
        return call.call();
    }

    private <V> Callable<V> aroundOne(ContextPropagator.Captured one, Callable<V> inner) {
        return () -> {
            InnerCall<V> tracked = new InnerCall<>(inner, task);
            try {
                V returned = one.around(tracked);
                if (!tracked.entered) {
                    task.orchestrator().parts().warn("context propagator did not run the body of task " + task.label()
                            + "; skipped", null);
                    return inner.call();
                }
                return tracked.returned ? tracked.value : returned;
            }
            catch (Throwable ex) {
                if (!tracked.entered) {
                    task.orchestrator().parts().warn("context propagator failed to restore for task " + task.label()
                            + "; skipped", ex);
                    return inner.call();
                }
                if (tracked.returned) {
                    task.orchestrator().parts().warn("context propagator failed after the body of task " + task.label()
                            + " returned; the body's value is kept", ex);
                    return tracked.value;
                }
                if (tracked.thrown != null && tracked.thrown != ex) {
                    task.orchestrator().parts().warn("context propagator failed after the body of task " + task.label()
                            + " threw; the body's exception is kept", ex);
                    throw sneaky(tracked.thrown);
                }
                throw sneaky(ex);
            }
        };
    }

    /** Tells every propagator the task finished; a failing one is logged and the others still run. */
    void finished(TaskInfo finalInfo, Throwable error) {
        Thread thread = Thread.currentThread(); // what the code may change of it, given back after it
        String name = thread.getName();
        ClassLoader loader = thread.getContextClassLoader();
        int priority = thread.getPriority();
        long before = Carrier.beforeGuest();
        for (ContextPropagator.Captured one : captured) {
            try {
                one.finished(finalInfo, error);
            }
            catch (Throwable ex) {
                task.orchestrator().parts().warn("context propagator failed on finish of task " + task.label()
                        + "; ignored", ex);
            }
        }
        ThreadState.restoreAfterGuest(thread, name, loader, priority);
        Carrier.afterGuest(before); // a task may end on its parent's body thread
    }

    /** The body as a propagator sees it, recording whether and how it ran. */
    private static final class InnerCall<V> implements Callable<V> {
        private final Callable<V> inner;
        private final TaskNode<?> node;
        boolean entered;
        boolean returned;
        V value;
        Throwable thrown;

        InnerCall(Callable<V> inner, TaskNode<?> node) {
            this.inner = inner;
            this.node = node;
        }

        @Override
        public V call() throws Exception {
            if (entered) {
                throw new IllegalStateException("a context propagator ran the task's body twice");
            }
            entered = true;
            try {
                // the propagator's own code may have swallowed the stop's interrupt, or left one that is no stop
                Thread.interrupted();
                node.reassertStop();
                value = inner.call();
                returned = true;
                return value;
            }
            catch (Throwable t) {
                thrown = t;
                throw t;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <X extends Throwable> Exception sneaky(Throwable t) throws X {
        throw (X) t;
    }

    /**
     * The created task's snapshot, made on the first {@code get()} (a propagator that does not read it spares
     * every task its cost: a {@link TaskInfo} with its path, id and times, about 250 bytes) and then shared.
     * Racy by design: propagators call it on the creating thread, and a second snapshot would do no harm.
     */
    private static final class Snapshot implements Supplier<TaskInfo> {

        private final TaskNode<?> task;
        private TaskInfo made;

        Snapshot(TaskNode<?> task) {
            this.task = task;
        }

        @Override
        public TaskInfo get() {
            TaskInfo info = made;
            if (info == null) {
                made = info = task.info();
            }
            return info;
        }
    }
}
