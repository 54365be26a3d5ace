package io.sweetasync;

import java.lang.System.Logger.Level;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tasks that ended (timed out, or under a timed-out ancestor) while their bodies still run, ignoring
 * their interrupts: each keeps its thread and its group permit until its body returns
 * ({@link TaskOrchestrator#runaways()}).
 *
 * <p>Invariants: a runaway on a {@code PLATFORM}/{@code SINGLE} runtime costs that runtime a thread, not
 * a slot: exactly one {@link PooledRuntime#threadFreed} follows each {@link PooledRuntime#threadStuck},
 * whichever of the body's return and this bookkeeping comes first (whoever removes the task from
 * {@link #stuckThreads} frees the thread). A runaway whose body returns leaves both sets. Each task added to
 * {@link #running} holds its figures ({@link TaskFigures#holdFiguresWhileBodyRuns}) before it is ended, and
 * whoever removes it lets them go, once, after its attempt's figures are in (the body's attempt has ended).
 */
final class Runaways {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());

    private final Set<TaskNode<?>> running = ConcurrentHashMap.newKeySet();
    /** Runaways whose body holds a pooled runtime's thread, and that thread's carrier. */
    private final Map<TaskNode<?>, ThreadCarrier> stuckThreads = new ConcurrentHashMap<>();

    /** Snapshots of the runaways now, oldest first. */
    List<TaskInfo> snapshots() {
        return running.stream().filter(TaskNode::isRunaway).sorted(Comparator.comparing(TaskNode::id))
                .map(TaskNode::info).toList();
    }

    int count() {
        return running.size();
    }

    /**
     * Called before a task whose body still runs is ended at its deadline (for a subtree: before any of its
     * tasks is ended; for a body that began as the subtree's ends went down, once its task is stopped, before it
     * is ended): counts it, and has a pooled runtime whose thread the body holds run one more body from
     * now on. Ending a task runs user code (its fallback, listeners, its futures' callbacks) that may wait for
     * work on that runtime: the body's thread must be replaced before, not after.
     */
    boolean starting(TaskNode<?> node) {
        if (!running.add(node)) {
            return false;
        }
        node.holdFiguresWhileBodyRuns();
        ThreadCarrier worker = node.pooledCarrier();
        if (worker != null && stuckThreads.putIfAbsent(node, worker) == null) {
            worker.pool().threadStuck(worker);
        }
        return true;
    }

    /** Called once that task has ended: warns, unless its body returned meanwhile (then gives its thread back). */
    void started(TaskNode<?> node) {
        if (!node.isRunaway()) {
            returned(node); // its body returned before its task ended, or since
            return;
        }
        LOG.log(Level.WARNING, "task {0} ended but its body still runs on its thread, ignoring the interrupt "
                + "(a blocking call the JDK cannot interrupt, or a loop that never checks): it keeps its thread "
                + "and group permit until it returns", node.path());
    }

    /** Called when a runaway's body has returned. */
    void returned(TaskNode<?> node) {
        boolean wasRunning = running.remove(node);
        ThreadCarrier worker = stuckThreads.remove(node);
        if (worker != null) {
            worker.pool().threadFreed(worker);
        }
        if (wasRunning) {
            node.settings.orchestrator.parts().runawayReturned(node);
        }
    }
}
