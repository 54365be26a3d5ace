package io.sweetasync;

import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The orchestrator's {@link TaskListener}s, and how an event reaches them.
 *
 * <p>Invariants: a listener that throws is logged and never changes the task, nor stops the other
 * listeners; an interrupt listeners leave on a task body's thread never reaches that body ({@link #each}); listeners are called on the thread of the event, in registration order; adding or removing
 * one while events flow is safe (copy on write: registrations are rare). An event's snapshot is built once,
 * and only if some listener overrides that event's method ({@link #wants}): a listener keeping
 * {@code TaskListener}'s empty default (the starter's metrics have no use for {@code onCreated} and
 * {@code onQueued}) costs its tasks no snapshot for it. Whether a listener overrides a method is read from
 * its class once, at registration, and errs towards calling it: an override anywhere below
 * {@code TaskListener} (its class, a superclass, a sub-interface's default, a dynamic proxy) counts, and a
 * method that cannot be looked up counts as overridden.
 */
final class TaskListeners {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());

    /** The events, as bits of {@link #wanted}. */
    static final int CREATED = 1;
    static final int QUEUED = 1 << 1;
    static final int STARTED = 1 << 2;
    static final int RETRYING = 1 << 3;
    static final int FINISHED = 1 << 4;
    static final int RESOURCES_UPDATED = 1 << 5;

    private final CopyOnWriteArrayList<TaskListener> listeners = new CopyOnWriteArrayList<>();
    /** The events some registered listener overrides; recomputed under this object's monitor. */
    private volatile int wanted;

    synchronized void addAll(Collection<TaskListener> more) {
        listeners.addAll(more);
        recompute();
    }

    synchronized void add(TaskListener listener) {
        listeners.add(listener);
        recompute();
    }

    synchronized boolean remove(TaskListener listener) {
        boolean removed = listeners.remove(listener);
        recompute();
        return removed;
    }

    /** Whether some listener overrides the method of {@code event} (one of the bits above). */
    boolean wants(int event) {
        return (wanted & event) != 0;
    }

    /** Tells every listener {@code event} with a snapshot of {@code node}, taken once, if one wants it. */
    void notify(TaskNode<?> node, int event, BiConsumer<TaskListener, TaskInfo> call) {
        if (wants(event)) {
            TaskInfo info = node.info();
            each(listener -> call.accept(listener, info));
        }
    }

    /**
     * Calls every listener; one that throws is logged and the others still run. On a thread that runs a task's
     * body (its own {@code onStarted}; a child created, queued or ended by the body), an interrupt the listeners
     * left does not reach that body ({@link Carrier#afterGuest}); on any thread, the name, context class loader and
     * priority they changed are given back ({@link ThreadState#restoreAfterGuest}).
     */
    void each(Consumer<TaskListener> call) {
        Thread thread = Thread.currentThread(); // what the code may change of it, given back after it
        String name = thread.getName();
        ClassLoader loader = thread.getContextClassLoader();
        int priority = thread.getPriority();
        long before = Carrier.beforeGuest();
        TaskNode<?> hidden = Carrier.hideTask(); // a listener is no part of a body running here: it sees no task
        ArrayDeque<Runnable> drain = Trampoline.leaveDrain(); // what a listener causes is not put off until it returns
        try {
            for (TaskListener listener : listeners) {
                try {
                    call.accept(listener);
                }
                catch (Throwable t) {
                    LOG.log(Level.WARNING, "task listener " + listener.getClass().getName() + " threw; ignored", t);
                }
            }
        }
        finally {
            Trampoline.backToDrain(drain);
            Carrier.showTask(hidden);
            ThreadState.restoreAfterGuest(thread, name, loader, priority);
            Carrier.afterGuest(before);
        }
    }

    private void recompute() {
        int mask = 0;
        for (TaskListener listener : listeners) {
            mask |= overridden(listener.getClass());
        }
        wanted = mask;
    }

    /** The events whose methods {@code type} does not leave to {@code TaskListener}'s empty defaults. */
    private static int overridden(Class<?> type) {
        return overrides(type, CREATED, "onCreated", TaskInfo.class)
                | overrides(type, QUEUED, "onQueued", TaskInfo.class)
                | overrides(type, STARTED, "onStarted", TaskInfo.class)
                | overrides(type, RETRYING, "onRetrying", TaskInfo.class, Throwable.class, Duration.class)
                | overrides(type, FINISHED, "onFinished", TaskInfo.class)
                | overrides(type, RESOURCES_UPDATED, "onResourcesUpdated", TaskInfo.class);
    }

    private static int overrides(Class<?> type, int event, String name, Class<?>... parameters) {
        try {
            Method method = type.getMethod(name, parameters);
            return method.getDeclaringClass() == TaskListener.class ? 0 : event;
        }
        catch (NoSuchMethodException | RuntimeException ex) {
            return event; // cannot tell: call it
        }
    }
}
