package io.sweetasync;

/**
 * The process-wide orchestrator that {@link AsyncTask}'s static methods use ({@link TaskOrchestrator#global()}):
 * the one installed with {@link TaskOrchestrator#setGlobal}, else a default one built on first use.
 *
 * <p>Invariants: every read and write holds {@link #LOCK}, so first uses that race build one default
 * between them; closing the global orchestrator forgets it (the next use builds a new default), closing
 * another one leaves it in place; replacing it never closes the previous one.
 */
final class GlobalOrchestrator {

    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static TaskOrchestrator current;

    private GlobalOrchestrator() {
    }

    static TaskOrchestrator get() {
        synchronized (LOCK) {
            if (current == null) {
                current = TaskOrchestrator.builder().build();
            }
            return current;
        }
    }

    /** Installs {@code orchestrator} ({@code null}: a default on next use); returns the previous one, or null. */
    static TaskOrchestrator set(TaskOrchestrator orchestrator) {
        synchronized (LOCK) {
            TaskOrchestrator previous = current;
            current = orchestrator;
            return previous;
        }
    }

    /** Installs {@code replacement} if {@code expected} is the global one; returns whether it did. */
    static boolean replace(TaskOrchestrator expected, TaskOrchestrator replacement) {
        synchronized (LOCK) {
            if (current != expected) {
                return false;
            }
            current = replacement;
            return true;
        }
    }

    /** Forgets {@code orchestrator} if it is the global one: called once it is closed. */
    static void closed(TaskOrchestrator orchestrator) {
        synchronized (LOCK) {
            if (current == orchestrator) {
                current = null;
            }
        }
    }
}
