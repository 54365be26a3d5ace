package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Ties the orchestrator to the application's lifecycle: while running it is the global orchestrator;
 * when several contexts run (cached test contexts, a parent and a child), the global one is the orchestrator
 * of the one started last that still runs (else the global found before any of them, if it still accepts
 * tasks; else a default one): stopping a context never displaces another's, nor leaves its own orchestrator,
 * shut down, global. On stop it stops admitting new root tasks, waits up to
 * {@code sweet.async.shutdown.grace} for running ones, then cancels the rest and logs which. It stops after
 * the web server has stopped (a lower phase than its graceful shutdown and its stop), so requests still in flight
 * can start tasks, and no request arrives, only to have its tasks rejected, while the grace runs (with
 * {@code server.shutdown=immediate} too). A
 * stopped context cannot be started again ({@code start()} fails saying so): the orchestrator's shutdown is
 * final. So it is not pauseable: a context's {@code pause()} and {@code restart()} leave it running.
 */
public class OrchestratorLifecycle implements SmartLifecycle {

    /**
     * Stops after the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and after the server's
     * stop ({@code DEFAULT_PHASE - 2048}; in that phase, Spring stopped the orchestrator first, and its grace
     * ran while the server still took requests).
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Log logger = LogFactory.getLog(OrchestratorLifecycle.class);

    private final TaskOrchestrator orchestrator;
    private final Duration grace;
    private volatile boolean running;
    private TaskOrchestrator previousGlobal;

    /** The orchestrators of the running lifecycles, in start order; also the lock for installing the global. */
    private static final Deque<TaskOrchestrator> RUNNING = new ArrayDeque<>();

    public OrchestratorLifecycle(TaskOrchestrator orchestrator, Duration grace) {
        this.orchestrator = orchestrator;
        this.grace = grace;
    }

    /**
     * Makes the orchestrator global.
     *
     * @throws IllegalStateException if the orchestrator was shut down (by an earlier {@link #stop()}): an
     *                               orchestrator does not restart, and one that rejects every task must not
     *                               pass for a running one
     */
    @Override
    public void start() {
        if (!orchestrator.isAccepting()) {
            throw new IllegalStateException("the Sweet Async orchestrator was shut down when this context stopped"
                    + " (its tasks were awaited, then cancelled) and cannot start again: an orchestrator does not"
                    + " restart; close this context and refresh a new one");
        }
        synchronized (RUNNING) {
            RUNNING.remove(orchestrator);
            RUNNING.addLast(orchestrator);
            TaskOrchestrator previous = TaskOrchestrator.setGlobal(orchestrator);
            if (previous != orchestrator) {
                previousGlobal = previous;
            }
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        List<TaskInfo> unfinished = orchestrator.roots();
        if (!unfinished.isEmpty()) {
            logger.info("Waiting up to " + grace + " for " + unfinished.size() + " running task tree(s) to finish");
        }
        // The trees that were running when the shutdown began: not those cancelled earlier (by id, by a user).
        Set<TaskId> waitedFor = unfinished.stream().map(TaskInfo::id).collect(Collectors.toSet());
        // Heard as they end, not read from the history afterwards: with history-size=0 (or a busy one that has
        // moved on) the warning named none of them
        Map<TaskId, String> cancelled = new ConcurrentHashMap<>();
        TaskListener listener = new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.status() == TaskStatus.CANCELLED && waitedFor.contains(task.id())) {
                    cancelled.put(task.id(), task.path());
                }
            }
        };
        if (!waitedFor.isEmpty()) {
            orchestrator.addListener(listener);
        }
        try {
            if (!orchestrator.shutdown(grace)) {
                orchestrator.recent().stream()
                        .filter(task -> waitedFor.contains(task.id()) && task.status() == TaskStatus.CANCELLED)
                        .forEach(task -> cancelled.putIfAbsent(task.id(), task.path()));
                // Bodies that ignore the interrupt keep their trees live: named too (the close does not wait again)
                List<String> stillRunning = orchestrator.roots().stream().filter(root -> waitedFor.contains(root.id()))
                        .map(TaskInfo::path).sorted().limit(20).toList();
                List<String> ended = cancelled.values().stream().sorted().limit(20).toList();
                // Each list only when it names something: a tree ignoring the interrupt alone read "...: []; ..."
                logger.warn("The " + grace + " shutdown grace ran out" + (ended.isEmpty() ? ""
                        : ": task tree(s) still running then, cancelled: " + ended)
                        + (stillRunning.isEmpty() ? "" : (ended.isEmpty() ? ": " : "; ") + "still running 5 s after "
                                + "their cancellation, ignoring the interrupt (their threads end when they return): "
                                + stillRunning));
            }
        }
        finally {
            orchestrator.removeListener(listener);
        }
        synchronized (RUNNING) {
            RUNNING.remove(orchestrator);
            TaskOrchestrator next = !RUNNING.isEmpty() ? RUNNING.getLast()
                    : previousGlobal != null && previousGlobal.isAccepting() ? previousGlobal : null;
            TaskOrchestrator.replaceGlobal(orchestrator, next); // not ours any more: another's, left in place
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * False: the orchestrator's shutdown is final, so a context's {@code pause()} (a temporary stop, undone by
     * {@code restart()}) leaves it running; stopping it there rejected every task from then on, and the restart
     * failed.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }
}
