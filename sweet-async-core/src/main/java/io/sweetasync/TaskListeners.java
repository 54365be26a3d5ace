package io.sweetasync;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The orchestrator's {@link TaskListener}s, and how an event reaches them.
 *
 * <p>Invariants: a listener that throws is logged and never changes the task, nor stops the other
 * listeners; without listeners an event costs one emptiness check (no snapshot is built); listeners are
 * called on the thread of the event, in registration order; adding or removing one while events flow is
 * safe (copy on write: registrations are rare).
 */
final class TaskListeners {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());

    private final CopyOnWriteArrayList<TaskListener> listeners = new CopyOnWriteArrayList<>();

    void addAll(Collection<TaskListener> more) {
        listeners.addAll(more);
    }

    void add(TaskListener listener) {
        listeners.add(listener);
    }

    boolean remove(TaskListener listener) {
        return listeners.remove(listener);
    }

    boolean isEmpty() {
        return listeners.isEmpty();
    }

    /** Tells every listener {@code event} with a snapshot of {@code node}, taken once, if there are any. */
    void notify(TaskNode<?> node, BiConsumer<TaskListener, TaskInfo> event) {
        if (!listeners.isEmpty()) {
            TaskInfo info = node.info();
            each(listener -> event.accept(listener, info));
        }
    }

    /** Calls every listener; one that throws is logged and the others still run. */
    void each(Consumer<TaskListener> call) {
        for (TaskListener listener : listeners) {
            try {
                call.accept(listener);
            }
            catch (Throwable t) {
                LOG.log(Level.WARNING, "task listener " + listener.getClass().getName() + " threw; ignored", t);
            }
        }
    }
}
