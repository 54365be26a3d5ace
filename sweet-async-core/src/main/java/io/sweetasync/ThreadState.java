package io.sweetasync;

import java.lang.System.Logger.Level;

/**
 * What user code may change of the thread it runs on and the engine gives back: its name, context class loader and
 * priority. A thread runs more than one user's code in turn (a pooled worker, a {@code SINGLE} runtime's thread, a
 * user's executor's thread, a body's thread that runs a child's listeners), so none may find them as another left
 * them. The caller reads the three into locals before the code runs ({@code getName()},
 * {@code getContextClassLoader()}, {@code getPriority()}: no allocation) and hands them back here after it:
 * {@link #restore} after a task's body ({@link TaskAttempts#runAttempt()}: a failure fails the attempt),
 * {@link #restoreAfterGuest} after user code the engine runs outside a body (listeners, a fallback, completion
 * callbacks, context propagators: beside {@link Carrier#afterGuest}; a failure is logged, never thrown).
 *
 * <p>Cheap when nothing changed (the usual case): three reads and reference compares. {@code setName} is only called
 * when the name really changed (on a platform thread it also renames the OS thread, a system call). A virtual
 * thread's priority never changes, so nothing is set there. Each of the three is given back even if another one
 * fails (a thread class overriding a setter, no memory left).
 */
final class ThreadState {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());

    private ThreadState() {
    }

    /**
     * Gives {@code thread} (the current one) back {@code name}, {@code loader} and {@code priority}, read before user
     * code ran on it; returns the first failure, null when all held.
     */
    static Throwable restore(Thread thread, String name, ClassLoader loader, int priority) {
        Throwable failure = null;
        try {
            String nameNow = thread.getName();
            if (nameNow != name && !nameNow.equals(name)) {
                thread.setName(name);
            }
        }
        catch (Throwable t) {
            failure = t;
        }
        try {
            if (thread.getContextClassLoader() != loader) {
                thread.setContextClassLoader(loader);
            }
        }
        catch (Throwable t) {
            failure = failure == null ? t : failure;
        }
        try {
            if (thread.getPriority() != priority) {
                thread.setPriority(priority);
            }
        }
        catch (Throwable t) {
            failure = failure == null ? t : failure;
        }
        return failure;
    }

    /**
     * As {@link #restore}, after user code the engine ran outside a body; never throws. A failure is logged: the
     * outcome the code was part of is decided already or being decided (a fallback's value, a listener's task's
     * end), so it stands, and the code's own exception (which may be that very failure: the JVM's one shared
     * {@code OutOfMemoryError}) goes on as it would have. Logging that finds no memory either is given up.
     */
    static void restoreAfterGuest(Thread thread, String name, ClassLoader loader, int priority) {
        Throwable failed = restore(thread, name, loader, priority);
        if (failed != null) {
            try {
                LOG.log(Level.WARNING, "could not give thread " + name + " back its name, context class loader or"
                        + " priority after a listener, fallback, completion callback or context propagator changed"
                        + " them; the next code it runs may see them changed", failed);
            }
            catch (Throwable ignored) { // no memory for the message: the thread's state is what it is
            }
        }
    }
}
